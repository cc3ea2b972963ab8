"""Build the archive a student runs the chapters from, outside the repository.

    python scripts/build_bundle.py [OUT.zip]

writes _build/html/dropout-course-notebooks.zip (next to the HTML book, where
the intro page links to it as ../dropout-course-notebooks.zip) holding one
folder, dropout-course/, with

    README.txt                 the two commands: install, then open the chapters
    requirements.txt           what the chapters import, at the versions of constraints.txt
    dropout_course-V-py3-none-any.whl   the course's package
    chapters/*.ipynb           every chapter in _toc.yml, as stored (with outputs)
    data/                      the stored data files and their README
    LICENSE, LICENSE-text      the licences of the code and of the text

`make book` and `make test` run it after building the book. It takes well
under a second and needs no network.

The wheel is written here rather than by `pip wheel`: the setuptools of the
course's virtual environment (65) cannot read pyproject.toml's SPDX
`license = "MIT"` (setuptools >= 77 can, and pip's isolated build would
download it). A pure-Python wheel is a zip of the package with three
metadata files (PEP 427), which is all this writes. Every archive member gets
the same time stamp, so the same sources give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import sys
import zipfile
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]
NAME = "dropout-course-notebooks.zip"
DEFAULT_OUT = ROOT / "_build" / "html" / NAME
FOLDER = "dropout-course"
#: What the chapters import (and the Jupyter to run them in), pinned from constraints.txt.
RUN_REQUIREMENTS = [
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "scikit-learn",
    "tensorflow",
    "keras",
    "myst-nb",  # dropout_course.glue stores values the way the book reads them
    "ipykernel",
    "jupyterlab",
    "jupyterlab-myst",  # renders the chapters' MyST markdown and {eval} numbers in JupyterLab
]
_EPOCH = (1980, 1, 1, 0, 0, 0)


# What the wheel carries from code/dropout_course: the modules and the package
# data pyproject.toml declares (the plot style the chapters apply, the chapters'
# measured run times).
_PACKAGE_FILES = {".py", ".typed", ".mplstyle", ".json"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def project(root: Path = ROOT) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def wheel_name(root: Path = ROOT) -> str:
    meta = project(root)
    return f"{meta['name'].replace('-', '_')}-{meta['version']}-py3-none-any.whl"


def wheel_bytes(root: Path = ROOT) -> bytes:
    """The package as a pure-Python wheel: code/dropout_course and its metadata."""
    meta = project(root)
    dist_info = f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    package = root / "code" / "dropout_course"
    files = {
        f"dropout_course/{path.relative_to(package).as_posix()}": path.read_bytes()
        for path in sorted(package.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in _PACKAGE_FILES
    }
    metadata = [
        "Metadata-Version: 2.4",
        f"Name: {meta['name']}",
        f"Version: {meta['version']}",
        f"Summary: {meta['description']}",
        f"License-Expression: {meta['license']}",
        "License-File: LICENSE",
        f"Requires-Python: {meta['requires-python']}",
        *(f"Requires-Dist: {dependency}" for dependency in meta["dependencies"]),
        "Description-Content-Type: text/markdown",
        "",
        (root / meta["readme"]).read_text(encoding="utf-8"),
    ]
    files[f"{dist_info}/METADATA"] = "\n".join(metadata).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: dropout-course scripts/build_bundle.py\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    files[f"{dist_info}/top_level.txt"] = b"dropout_course\n"
    files[f"{dist_info}/licenses/LICENSE"] = (root / "LICENSE").read_bytes()
    record = [
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
        f"{len(data)}"
        for name, data in files.items()
    ]
    files[f"{dist_info}/RECORD"] = ("\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n").encode()
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        for name, data in files.items():
            _member(archive, name, data)
    return stream.getvalue()


def requirements(root: Path = ROOT) -> str:
    """requirements.txt of the bundle: RUN_REQUIREMENTS at constraints.txt's versions."""
    pins = {}
    for line in (root / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==", 1)
            pins[_canonical(name.strip())] = version.strip()
    missing = [name for name in RUN_REQUIREMENTS if _canonical(name) not in pins]
    if missing:
        raise SystemExit(f"build_bundle: constraints.txt pins no version of {missing}")
    lines = [
        "# What the chapters need, at the versions the course was tested with",
        "# (the repository's constraints.txt). Install with the course's wheel:",
        f"#   pip install -r requirements.txt {wheel_name(root)}",
        *(f"{name}=={pins[_canonical(name)]}" for name in RUN_REQUIREMENTS),
    ]
    return "\n".join(lines) + "\n"


def readme(root: Path = ROOT) -> str:
    wheel = wheel_name(root)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"""\
Dropout regularization: an open course -- the chapters, to run on your machine

In this folder (ideally in a fresh virtual environment: python -m venv .venv,
then activate it), with Python {python} (the versions in requirements.txt were
tested with it), install the course's package and what the chapters need,
then open the chapters:

    pip install -r requirements.txt {wheel}
    jupyter lab chapters/

The first command downloads the packages once; after that, every chapter runs
offline. Run a chapter's cells from the top: its first cell seeds everything,
so you get the outputs stored in the notebook.

What is here:

    chapters/         every chapter, with its stored outputs
    data/             the stored data set and its README (source, licence, sha256)
    {wheel}
                      the course's package, dropout_course
    requirements.txt  the versions of numpy, TensorFlow, Keras, JupyterLab, ...
    LICENSE           the code (the package, the code cells): MIT
    LICENSE-text      the text and figures: CC BY 4.0; the data keep their own
                      licences, stated in data/README.md

The package reads the data from data/ next to chapters/ (a notebook runs in
chapters/). To keep the data elsewhere, set the environment variable
DROPOUT_COURSE_DATA to the folder that holds mnist_5k.npz.
"""


def chapters(root: Path = ROOT) -> list[Path]:
    """The notebooks _toc.yml lists, in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [
        chapter["file"] for part in toc.get("parts", []) for chapter in part.get("chapters", [])
    ]
    return [root / f"{name}.ipynb" for name in names if (root / f"{name}.ipynb").is_file()]


def build_bundle(out: Path = DEFAULT_OUT, root: Path = ROOT) -> Path:
    """Write the bundle to out (a .zip) and return out."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    members = {
        "README.txt": readme(root).encode(),
        "requirements.txt": requirements(root).encode(),
        wheel_name(root): wheel_bytes(root),
        "LICENSE": (root / "LICENSE").read_bytes(),
        "LICENSE-text": (root / "LICENSE-text").read_bytes(),
    }
    for path in chapters(root):
        members[f"chapters/{path.name}"] = path.read_bytes()
    for path in sorted((root / "data").iterdir()):
        if path.is_file() and not path.name.startswith("."):
            members[f"data/{path.name}"] = path.read_bytes()
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in members.items():
            _member(archive, f"{FOLDER}/{name}", data)
    partial.replace(out)  # a reader of out never sees half an archive
    return out


def main(argv: list[str]) -> int:
    out = build_bundle(Path(argv[0]) if argv else DEFAULT_OUT)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
