# The two commands of the README:
#   make book   install what is needed into .venv and build the HTML book into _build/html
#   make test   install what is needed and run every test (library, notebooks, book, browser)
#   make lab    JupyterLab on the exercise notebooks (copied into dlcourse-exercises/)
# Everything installs into the project's own virtual environment, .venv; CI pins torch to
# the CPU wheel through requirements/constraints.txt.

PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PIP     := $(BIN)/python -m pip --disable-pip-version-check -q

EXERCISES_DIR ?= dlcourse-exercises

.PHONY: book test release browser sandbox clean lab

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -c requirements/constraints.txt -e ".[test,student]"
	touch $(STAMP)

# -W: any Sphinx warning fails the build. Not --nitpick: docstrings cross-reference names
# that a package re-exports (dlcourse.optim.minimize), which nitpicky mode cannot resolve.
book: $(STAMP)
	DLCOURSE_STATIC=1 $(BIN)/jupyter-book build . --warningiserror --keep-going

browser:
	@bash requirements/install-chromium.sh

# bubblewrap isolates each kernel that `dlcourse grade` starts (see instructor_guide.md)
sandbox:
	@bash requirements/install-bubblewrap.sh

test: book browser sandbox
	DLCOURSE_STATIC=1 $(BIN)/python -m pytest --nbval tests solutions

# JupyterLab on a copy of the exercise notebooks (a notebook already there is kept: it may
# hold your work; `dlcourse exercises --force` replaces it).
lab: $(STAMP)
	$(BIN)/dlcourse exercises $(EXERCISES_DIR)
	$(BIN)/jupyter lab $(EXERCISES_DIR)

release: $(STAMP)
	$(BIN)/python -m dlcourse release --execute

clean:
	rm -rf _build
