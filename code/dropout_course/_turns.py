"""Worker threads that take turns running Python, in a fixed order.

:func:`dropout_course.training.run_seeds` trains the seeds of an experiment on
several threads so that a 2-core machine trains two networks at once. The
training itself is a TensorFlow graph call, which releases the GIL; what must
not run concurrently is the Python around it: building a model draws default
seeds from Python's ``random``, and the order of those draws decides the
numbers. So a worker runs Python only when it holds the turn, hands the turn
on while TensorFlow computes, and takes it back in strict rotation:

    worker 0 builds, worker 1 builds, worker 0 evaluates, worker 1 evaluates, ...

whatever the machine's speed. The order of every Python step, and so every
number, is the same on every run.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager


class Turns:
    """A turn passed among ``n_workers`` threads in round-robin order."""

    def __init__(self, n_workers: int):
        self._condition = threading.Condition()
        self._active = list(range(n_workers))
        self._current = 0

    def wait(self, worker: int) -> None:
        """Block until ``worker`` holds the turn."""
        with self._condition:
            self._condition.wait_for(lambda: self._current == worker)

    def pass_on(self, worker: int) -> None:
        """Give the turn that ``worker`` holds to the next active worker."""
        with self._condition:
            position = self._active.index(worker)
            self._current = self._active[(position + 1) % len(self._active)]
            self._condition.notify_all()

    def leave(self, worker: int) -> None:
        """Retire ``worker``, which holds the turn, and pass the turn on."""
        with self._condition:
            position = self._active.index(worker)
            self._active.remove(worker)
            if self._active:
                self._current = self._active[position % len(self._active)]
            self._condition.notify_all()

    @contextmanager
    def released(self, worker: int):
        """Let the others run Python while ``worker`` computes outside Python."""
        self.pass_on(worker)
        try:
            yield
        finally:
            self.wait(worker)


_local = threading.local()


def current_worker():
    """Return ``(turns, worker)`` for a thread of :func:`run_in_turns`, else None."""
    return getattr(_local, "worker", None)


def thread_state(name: str, default):
    """Return a per-worker attribute ``name`` (``default`` outside workers)."""
    return getattr(_local, name, default)


def run_in_turns(task, items, n_workers: int, **thread_attributes):
    """Return ``[task(item) for item in items]``, computed by ``n_workers`` threads.

    Worker ``k`` takes ``items[k::n_workers]`` in order; the workers run their
    Python code one at a time in a fixed rotation (see the module docstring)
    and overlap only inside :func:`released` sections. Each thread gets fresh
    attributes ``thread_attributes`` (factories called in that thread), read
    back with :func:`thread_state`. The first exception, in item order, is
    raised after every worker has stopped.
    """
    items = list(items)
    n_workers = max(1, min(n_workers, len(items)))
    turns = Turns(n_workers)
    results: dict[int, object] = {}
    errors: dict[int, BaseException] = {}

    def work(worker: int) -> None:
        _local.worker = (turns, worker)
        for name, factory in thread_attributes.items():
            setattr(_local, name, factory())
        turns.wait(worker)
        try:
            for index in range(worker, len(items), n_workers):
                try:
                    results[index] = task(items[index])
                except BaseException as error:  # re-raised in the caller's thread
                    errors[index] = error
                    return
        finally:
            turns.leave(worker)
            _local.__dict__.clear()

    threads = [
        threading.Thread(target=work, args=(worker,), name=f"dropout-course-worker-{worker}", daemon=True)
        for worker in range(n_workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[min(errors)]
    return [results[index] for index in range(len(items))]
