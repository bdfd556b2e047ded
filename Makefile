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
	$(TD) check examples
	$(TD) build examples/telecom -o build/telecom
	$(TD) build examples/banking -o build/banking
	$(TD) build examples/health -o build/health --lang he
	@echo
	@echo "Outputs are in build/<project>/<target>/. Open the charters:"
	@for p in telecom banking health; do echo "  build/$$p/charter/index.html"; done
	@echo "and the policies: build/<project>/policy/index.html"
	@echo
	@echo "To run touchdsl yourself, put it on your PATH:  source $(VENV)/bin/activate"
	@echo "(or call it as $(TD))."

test: $(VENV)/.installed
	$(PY) -m pytest -q

# Regenerate the reviewed golden files under tests/golden/ (review the diff before committing).
golden: $(VENV)/.installed
	$(PY) -m tests.golden $(FOLDERS)

bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) build
