"""Stored outputs must not depend on the machine that computed them.

Strict nbval compares every output text of a re-run with the stored one. CI
runs on the machine that stored the outputs, so it cannot see a digit that
another CPU computes differently (another BLAS kernel, another summation
order). This test reads the stored outputs themselves and rejects the two
shapes such digits take:

* **round-off shown as a result**: a nonzero number below 1e-9 in magnitude
  (``1.776357e-15``, ``3.1e-15``), even as a bound (``< 1e-15`` reads as a
  round-off digit too). A value that is zero up to rounding is printed as a
  bound of at least ``1e-9`` (``< 1e-9``) and asserted in the cell;
* **more digits than are stable**: a decimal number with more than
  ``MAX_SIGNIFICANT_DIGITS`` significant digits (``1.395163745288``,
  pandas' default ``2.740962e-02``). float32, TensorFlow's type, keeps about
  seven; a printed number carries the digits its claim needs.

It reads stream output, ``text/plain``, ``text/html`` (pandas tables) and
glued values (MyST-NB's ``application/papermill.record/...`` bundles) of
every code cell of every chapter. The rule is written in CONTRIBUTING.md
("Numbers that do not depend on the machine").
"""

from __future__ import annotations

import html
import json
import re

import pytest

from _book_layout import chapter_notebooks

#: Significant digits a printed decimal may carry (float32 keeps about 7).
MAX_SIGNIFICANT_DIGITS = 6
#: Below this magnitude a nonzero printed number is round-off (bounds too).
SMALLEST_RESULT = 1e-9

# A decimal number, optionally in scientific notation, not part of a word,
# an identifier or a longer number (``ch05_x1``, ``0x7f``, ``1.2.3``).
_NUMBER = re.compile(r"(?<![\w.])(\d+\.?\d*|\.\d+)(?:[eE]([-+]?\d+))?(?![\w.])")
_HTML_STYLE = re.compile(r"<style.*?</style>", flags=re.S)
_HTML_TAG = re.compile(r"<[^>]+>")


def significant_digits(mantissa: str) -> int:
    """Return the number of significant digits written in ``mantissa``."""
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits) if "." in mantissa else len(digits.rstrip("0"))


def machine_dependent_numbers(text: str) -> list[str]:
    """Return each number in ``text`` that breaks the rule, with its context."""
    found = []
    for match in _NUMBER.finditer(text):
        mantissa, exponent = match.group(1), match.group(2)
        value = float(mantissa + (f"e{exponent}" if exponent else ""))
        tiny = value != 0 and abs(value) < SMALLEST_RESULT
        too_precise = "." in mantissa and significant_digits(mantissa) > MAX_SIGNIFICANT_DIGITS
        if tiny or too_precise:
            reason = (
                "round-off shown as a value"
                if tiny
                else (f"more than {MAX_SIGNIFICANT_DIGITS} significant digits")
            )
            context = text[max(0, match.start() - 40) : match.end() + 10].replace("\n", " ")
            found.append(f"{match.group(0)} ({reason}) in ...{context}...")
    return found


def _output_texts(cell):
    """Yield (kind, text) for every text an output of ``cell`` stores."""
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            yield "stream", "".join(output["text"])
        for kind, value in output.get("data", {}).items():
            if kind in ("text/plain", "text/html") or kind.startswith(
                "application/papermill.record/text"
            ):
                text = "".join(value) if isinstance(value, list) else str(value)
                if kind == "text/html":
                    text = html.unescape(_HTML_TAG.sub(" ", _HTML_STYLE.sub("", text)))
                yield kind, text


@pytest.mark.parametrize("path", chapter_notebooks(), ids=lambda path: path.stem)
def test_no_stored_output_depends_on_the_machine(path):
    notebook = json.loads(path.read_text())
    problems = []
    code_index = 0
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        code_index += 1
        for kind, text in _output_texts(cell):
            for problem in machine_dependent_numbers(text):
                problems.append(
                    f"  cell {index} (nbval's Cell {code_index - 1}), {kind}: {problem}"
                )
    assert not problems, (
        f"{path.name}: outputs that another CPU may print differently "
        f"(print a bound such as '< 1e-9', or round to the stable digits):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize(
    "text",
    [
        "gap = 1.776357e-15",
        "max relative difference = 3.1e-15",
        "0.0000000004",
        "loss 1.395163745288",
        "<td>2.740962e-02</td>",
        "3.000001 (c = 3.0)",
        "gap < 1e-15",
    ],
)
def test_the_rule_flags_round_off_and_unstable_digits(text):
    assert machine_dependent_numbers(html.unescape(_HTML_TAG.sub(" ", text)))


@pytest.mark.parametrize(
    "text",
    [
        "gap < 1e-9",
        "gap ≤ 1e-08",
        "0.0",
        "0.1234",
        "124.75",
        "1.0e+15",
        "2^976 = 6.39e+293",
        "x = 0",
        "1,000,000 masks",
        "ch05_x1 = 3",
        "seed 20150101",
        "1.5e-05",
        "100000 masks",
    ],
)
def test_the_rule_accepts_bounds_and_rounded_values(text):
    assert not machine_dependent_numbers(text)
