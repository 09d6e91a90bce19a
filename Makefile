# Two commands do all set-up on a fresh machine:
#   make run    create .venv, install everything, run the pipeline over seeds/ into the default store
#   make test   create .venv, install everything, run the test suite
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

.PHONY: install run test
install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/zhclaims extract seeds/

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q
