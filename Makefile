# The two commands a newcomer types: `make book` and `make test`.
# Both set everything up first (virtual environment, packages, the course's
# own package), so there is no manual step before them.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK_HTML := _build/html

.DEFAULT_GOAL := help
.PHONY: help setup book slides test lab bench execute constraints clean

help:
	@echo "make book    set up .venv and build the HTML book into $(BOOK_HTML)"
	@echo "make slides  set up .venv and build one offline reveal.js deck per chapter into _build/slides"
	@echo "make test    set up .venv and run every test (package, notebooks, book, slides)"
	@echo "make lab     open JupyterLab on chapters/"
	@echo "make bench   time source 000's experiment (model.fit vs the course trainer) and every chapter"

# Re-install only when what we install from has changed.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $(STAMP)

setup: $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going
	@echo "The book is at file://$(CURDIR)/$(BOOK_HTML)/index.html"

# Lecture slides from the stored outputs (no execution), offline: reveal.js and
# MathJax are copied next to the decks. tests/test_slides.py builds them too.
slides: $(STAMP)
	$(BIN)/python scripts/build_slides.py

test: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/built_book
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-cell-timeout=300 chapters
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going
	$(BIN)/python -m pytest tests/built_book

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=chapters

bench: $(STAMP)
	$(BIN)/python scripts/benchmark_trainer.py
	$(BIN)/python scripts/benchmark_chapters.py

# Authors: re-run chapters and store their outputs (what nbval then compares).
# `make execute` runs all; `make execute NB=chapters/03_*.ipynb` runs some.
NB ?= chapters/[0-9]*.ipynb
execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py $(NB)

constraints: $(STAMP)
	@$(BIN)/python -m pip freeze --exclude-editable | grep -v '^dropout-course' > constraints.tmp
	@{ sed -n '1,4p' constraints.txt; cat constraints.tmp; } > constraints.new && rm constraints.tmp && mv constraints.new constraints.txt

clean:
	rm -rf _build
