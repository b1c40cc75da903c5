# Two commands on a fresh machine (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck pytest bench clean lab system-packages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	touch $@ $(STAMP_RUN)

## demo: install and run the main job: compose on the embedded default backend,
## commit to Muse (DuckDB), then reproduce the commit bit for bit
demo: $(STAMP_RUN)
	rm -rf demo-output
	$(VENV)/bin/maestro-lab compose experiments/demo_prompt.txt --seed 42 \
		--db demo-output/maestro.duckdb --out demo-output --plot
	$(VENV)/bin/maestro-lab reproduce HEAD --db demo-output/maestro.duckdb

## test: install with the dev extra, then ruff, mypy --strict and pytest
test: $(STAMP_DEV)
	$(VENV)/bin/ruff check storpheus muse_duckdb maestro_lab tests benchmarks
	$(VENV)/bin/ruff format --check storpheus muse_duckdb maestro_lab tests benchmarks
	$(VENV)/bin/mypy --strict storpheus muse_duckdb maestro_lab
	@$(MAKE) --no-print-directory system-packages
	$(VENV)/bin/pytest -n 2 --dist loadfile -q --nbval-lax tests notebooks

## system-packages: the browser test drives Debian's chromium, the audio tests use
## FluidSynth and the General MIDI SoundFont (installed here when root and missing)
system-packages:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || missing="$$missing fluid-soundfont-gm"; \
	ldconfig -p 2>/dev/null | grep -q libfluidsynth || missing="$$missing libfluidsynth3"; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
		echo "installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

## lab: install the lab and audio extras (and, as root, the General MIDI SoundFont),
## then open JupyterLab on 127.0.0.1 in notebooks/ with a kernel that sees the project
lab: $(STAMP_RUN)
	$(PIP) install --quiet -e ".[lab,audio]"
	@if [ ! -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq fluid-soundfont-gm libfluidsynth3 \
		|| echo "no SoundFont installed: audio uses the built-in synthesiser"; fi
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks \
		$$( [ "$$(id -u)" = 0 ] && echo --allow-root )

lint: $(STAMP_DEV)
	$(VENV)/bin/ruff check storpheus muse_duckdb maestro_lab tests benchmarks

typecheck: $(STAMP_DEV)
	$(VENV)/bin/mypy --strict storpheus muse_duckdb maestro_lab

bench: $(STAMP_DEV)
	$(PIP) install --quiet -e ".[bench]"
	$(PY) benchmarks/bench_midi_io.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache .mypy_cache .ruff_cache
