# The two commands a newcomer types: `make book` and `make test`.
# Both set everything up first (virtual environment, packages, the course's
# own package), so there is no manual step before them.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK_HTML := _build/html

.DEFAULT_GOAL := help
.PHONY: help setup book pdf slides test lab bench execute constraints clean

help:
	@echo "make book    set up .venv and build the HTML book into $(BOOK_HTML), and the chapters' archive for offline work"
	@echo "make pdf     set up .venv, build the whole book as one PDF into _build/pdf and check it (needs XeLaTeX)"
	@echo "make slides  set up .venv and build one offline reveal.js deck (and its PDF) per chapter into _build/slides"
	@echo "make test    set up .venv and run every test (lint, package, notebooks, book, slides, PDF)"
	@echo "make lab     open JupyterLab on chapters/"
	@echo "make bench   time the course trainer against model.fit, then every chapter (budget: 40 s each)"

# Re-install only when what we install from has changed.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $(STAMP)

setup: $(STAMP)

# After the HTML, the archive of chapters, data and package the intro page links
# to (_build/html/dropout-course-notebooks.zip; under a second, no network).
# Every page's sidebar lists every chapter, and Sphinx rewrites only the pages
# whose source changed: after a change of _toc.yml or _config.yml (a chapter
# added, split or renamed) the old pages would still link to the old chapters,
# so the book is then built from scratch (about 30 s instead of a few).
BOOK_BUILD = if [ -f $(BOOK_HTML)/index.html ] && \
		[ -n "$$(find _toc.yml _config.yml -newer $(BOOK_HTML)/index.html)" ]; then \
		echo "_toc.yml or _config.yml changed: building every page"; \
		rm -rf $(BOOK_HTML) _build/.doctrees; fi; \
	$(BIN)/jupyter-book build . --builder html -n -W --keep-going

book: $(STAMP)
	@$(BOOK_BUILD)
	$(BIN)/python scripts/build_bundle.py
	@echo "The book is at file://$(CURDIR)/$(BOOK_HTML)/index.html"

# The whole book as one PDF and chapter 13's cheat sheet as a one-page handout,
# offline (Sphinx's LaTeX builder, then XeLaTeX), then their checks. The PDF is
# also copied into $(BOOK_HTML), where the intro page links to it.
pdf: $(STAMP)
	$(BIN)/python scripts/build_pdf.py --handout
	$(BIN)/python -m pytest tests/test_pdf.py
	@echo "The PDF is at file://$(CURDIR)/_build/pdf/dropout-course.pdf"

# Lecture slides from the stored outputs (no execution), offline: reveal.js and
# MathJax are copied next to the decks, and each deck is printed to PDF by
# headless Chromium (skipped with a warning without it). tests/test_slides.py
# and tests/test_slide_fit.py (every slide fits 1280x720) build them too.
slides: $(STAMP)
	$(BIN)/python scripts/build_slides.py

# Chapters longest first, so that neither core idles at the end waiting for a long one.
# A chapter not named here still runs, after these.
NBVAL_ORDER := 10 12 08 07 09 11 06 01 03 04 05 02 13
NBVAL_FIRST := $(foreach n,$(NBVAL_ORDER),$(wildcard chapters/$(n)_*.ipynb))
NBVAL_CHAPTERS := $(NBVAL_FIRST) $(filter-out $(NBVAL_FIRST),$(wildcard chapters/[0-9]*.ipynb))

# The last stage runs three jobs on the two cores. The JupyterLab check reads
# the chapters, not the built book: it runs beside the book build and the built
# book's checks. The PDF (scripts/build_pdf.py, then tests/test_pdf.py) starts
# once the HTML book is built, whose parsed pages (_build/.doctrees) its Sphinx
# step reuses, and runs beside the built book's checks: browser tests that
# leave a core idle while they wait on pages. Without XeLaTeX the PDF is not
# built and tests/test_pdf.py skips, saying what to install (under CI=true it
# fails). The two side jobs log to _build/; their logs are printed when all
# three are done, then one line per job.
test: $(STAMP)
	$(BIN)/ruff check code tests scripts _ext chapters
	$(BIN)/ruff format --check code tests scripts _ext chapters
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests --ignore=tests/built_book --ignore=tests/jupyterlab --ignore=tests/test_pdf.py
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-cell-timeout=300 \
		-n 2 --dist loadfile --durations=10 $(NBVAL_CHAPTERS)
	@mkdir -p _build
	@$(BIN)/python -m pytest tests/jupyterlab > _build/jupyterlab-test.log 2>&1 & lab=$$!; pdf=; \
	{ $(BOOK_BUILD); } && \
	{ { if command -v xelatex >/dev/null && command -v latexmk >/dev/null; then \
		$(BIN)/python scripts/build_pdf.py --handout || exit 1; fi; \
		$(BIN)/python -m pytest tests/test_pdf.py; } > _build/pdf-test.log 2>&1 & pdf=$$!; } && \
	$(BIN)/python scripts/build_bundle.py && $(BIN)/python -m pytest tests/built_book; \
	book=$$?; wait $$lab; lab=$$?; \
	if [ -n "$$pdf" ]; then wait $$pdf; pdf=$$?; else pdf=1; echo "PDF: not built (the HTML book failed)" > _build/pdf-test.log; fi; \
	echo "===== JupyterLab (_build/jupyterlab-test.log)"; cat _build/jupyterlab-test.log; \
	echo "===== PDF (_build/pdf-test.log)"; cat _build/pdf-test.log; \
	echo "built book: $$(test $$book -eq 0 && echo passed || echo FAILED); JupyterLab: $$(test $$lab -eq 0 && echo passed || echo FAILED); PDF: $$(test $$pdf -eq 0 && echo passed || echo FAILED)"; \
	test $$book -eq 0 -a $$lab -eq 0 -a $$pdf -eq 0

# No news feed, no update check, no extension search: JupyterLab asks no outside host.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=chapters --LabApp.news_url=None \
		--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
		--LabApp.extension_manager=readonly

bench: $(STAMP)
	$(BIN)/python scripts/benchmark_trainer.py
	$(BIN)/python scripts/benchmark_chapters.py

# Authors: re-run chapters and store their outputs (what nbval then compares).
# `make execute` runs all; `make execute NB=chapters/03_*.ipynb` runs some.
NB ?= chapters/[0-9]*.ipynb
execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py $(NB)
	$(BIN)/python scripts/glue_to_eval.py chapters/[0-9]*.ipynb

constraints: $(STAMP)
	@$(BIN)/python -m pip freeze --exclude-editable | grep -v '^dropout-course' > constraints.tmp
	@{ sed -n '1,4p' constraints.txt; cat constraints.tmp; } > constraints.new && rm constraints.tmp && mv constraints.new constraints.txt

clean:
	rm -rf _build
