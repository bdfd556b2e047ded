# Two entry points for a new machine with Python 3.11+ and make:
#   make demo   - check and build the example projects into build/
#   make test   - run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
TD     := $(VENV)/bin/touchdsl

.PHONY: demo test golden bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(TD) check examples/telecom examples/banking
	@set -e; for project in examples/*/; do \
	  name=$$(basename $$project); \
	  $(TD) check $$project; \
	  $(TD) build $$project -o build/$$name; \
	done
	@echo
	@echo "Outputs are in build/<project>/ - for example:"
	@for project in examples/*/; do name=$$(basename $$project); \
	  echo "  charter: build/$$name/charter/index.html"; done

test: $(VENV)/.installed
	$(PY) -m pytest -q

# Regenerate the reviewed golden files under tests/golden/ (review the diff before committing).
golden: $(VENV)/.installed
	$(PY) -m tests.golden_update

bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build
