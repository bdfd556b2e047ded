# Two entry points for a new machine with Python 3.11+ and make:
#   make demo   - check and build the example projects into build/, measure their event logs
#   make test   - run the whole test suite
# and for robustness work (docs/fuzzing.md):
#   make fuzz          - the fuzz target under hypothesis, FUZZ_EXAMPLES inputs (default 5000)
#   make fuzz-atheris  - coverage-guided with atheris, FUZZ_SECONDS long (default 600), if it installs
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
TD     := $(VENV)/bin/touchdsl
# The examples' logs end on 30 November 2026: measure them as of then.
MEASURE := --as-of 2026-11-30T17:00:00+02:00 --fail-on never

.PHONY: demo test golden bench bench-measure clean fuzz fuzz-atheris

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,spark]'
	touch $@

# `check examples` checks the three projects under examples/ (each folder declares its
# own `project`), each with its own defaults; `build` takes one project at a time.
demo: $(VENV)/.installed
	$(TD) check examples
	$(TD) build examples/telecom -o build/telecom
	$(TD) build examples/banking -o build/banking
	$(TD) build examples/health -o build/health
	@echo
	@echo "Outputs are in build/<project>/<target>/. Open the charters:"
	@for p in telecom banking health; do echo "  build/$$p/charter/index.html"; done
	@echo "and the policies: build/<project>/policy/index.html"
	@echo
	@echo "Measuring the example event logs (each misses one promise on purpose):"
	$(TD) measure examples/telecom -e examples/telecom/events.csv $(MEASURE) -o build/measure/telecom
	$(TD) measure examples/banking -e examples/banking/events.jsonl --timezone Asia/Jerusalem $(MEASURE) \
	    -o build/measure/banking
	$(TD) measure examples/health -e examples/health/events.csv --map case=ticket_id,at=created_at,segment=priority \
	    --timezone Asia/Jerusalem $(MEASURE) -o build/measure/health
	@echo
	@echo "Measurements are in build/measure/<project>/measure.json and measure.csv (outside the build folders, which a build replaces as a whole)."
	@echo "(--fail-on never keeps the demo going; by default a missed promise exits 1.)"
	@echo
	@echo "To run touchdsl yourself, put it on your PATH:  source $(VENV)/bin/activate"
	@echo "(or call it as $(TD))."

test: $(VENV)/.installed
	$(PY) -m pytest -q

# Regenerate the reviewed golden files under tests/golden/ (review the diff before committing).
golden: $(VENV)/.installed
	$(PY) -m tests.golden $(FOLDERS)

FUZZ_EXAMPLES ?= 5000
FUZZ_SECONDS ?= 600

fuzz: $(VENV)/.installed
	TOUCHDSL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest -q -x tests/test_fuzz.py

fuzz-atheris: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[fuzz]'
	$(PY) -m fuzz.target build/fuzz-corpus -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/fuzz-

bench: $(VENV)/.installed
	$(PY) bench/run.py

# touchdsl measure on 1M and 10M events against DuckDB's floor and a pandas baseline.
bench-measure: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/measure/run.py

clean:
	rm -rf $(VENV) build
