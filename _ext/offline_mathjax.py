"""Sphinx extension: serve MathJax 3 from the book itself, not from a CDN.

A lecture hall without internet must still see the equations, so the HTML
book loads ``_static/mathjax/tex-chtml.js`` (set ``mathjax_path`` to
``mathjax/tex-chtml.js`` in ``_config.yml``). This extension copies MathJax's
``es5`` bundle there from the ``django-static-mathjax`` wheel, which carries
an unmodified MathJax 3.2.2 and is installed from ``requirements.txt``.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def mathjax_bundle_dir() -> Path:
    """Return the installed MathJax ``es5`` directory (with ``tex-chtml.js``)."""
    try:
        import mathjax  # the django-static-mathjax distribution
    except ImportError as error:
        raise RuntimeError(
            "MathJax for offline math is missing: install django-static-mathjax "
            "(it is in requirements.txt; `make book` installs it)"
        ) from error
    bundle = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (bundle / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax bundle not found or incomplete at {bundle}")
    return bundle


def copy_mathjax(target: Path) -> None:
    """Copy the MathJax bundle into ``target`` unless it is already there."""
    source = mathjax_bundle_dir()
    if (target / "tex-chtml.js").is_file() and (
        (target / "tex-chtml.js").stat().st_size == (source / "tex-chtml.js").stat().st_size
    ):
        return
    shutil.copytree(source, target, dirs_exist_ok=True)


def _on_build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        copy_mathjax(Path(app.outdir) / "_static" / "mathjax")


def setup(app):
    mathjax_bundle_dir()  # fail early, with a clear message, if it is missing
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
