# The two commands of the README:
#   make book   install what is needed into .venv and build the HTML book into _build/html
#   make test   install what is needed and run every test (library, notebooks, book, browser)
# Everything installs into the project's own virtual environment, .venv; CI pins torch to
# the CPU wheel through requirements/constraints.txt.

PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PIP     := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: book test release browser sandbox clean

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -c requirements/constraints.txt -e ".[test]"
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

release: $(STAMP)
	$(BIN)/python -m dlcourse release --execute

clean:
	rm -rf _build
