# reportpub: `make` sets everything up and builds the sample report into build/;
# `make test` runs the test suite. Both work on a fresh Debian machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages the build needs: the Japanese fonts, Symbola for emoji and symbols, Liberation Serif
# for italics in Latin text (Noto CJK has none), HarfBuzz's subsetter (without it
# WeasyPrint falls back to fontTools subsetting, about 9 times slower), poppler's tools
# (the tests read PDFs with pdftotext/pdffonts), headless Chromium for the browser tests (the EPUBs,
# the download page, the preview); Java for EPUBCheck when no java is on PATH.
SYSTEM_PACKAGES := fonts-noto-cjk fonts-symbola fonts-liberation libharfbuzz-subset0 poppler-utils chromium
STAMP := $(VENV)/.installed
# npm packages of the slow tests, into node_modules/: Ace by DAISY, the EPUB accessibility checker
# (it drives Debian's chromium, so puppeteer downloads no browser of its own), and foliate-js, the
# reading engine of the Foliate reader, in which the EPUBs are paged through in Chromium.
NODE_STAMP := node_modules/.installed

.PHONY: all setup system-packages build test test-fast browser benchmark clean

all: build

setup: system-packages $(STAMP) $(NODE_STAMP)

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null && fc-cache -f >/dev/null; \
	  else \
	    echo "reportpub needs these Debian packages:$$missing"; \
	    echo "install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

build: setup
	$(BIN)/reportpub build .

test: setup
	$(BIN)/python -m pytest -q

# Kept for CI scripts that still call it: `make` installs Chromium with the other system packages.
browser: system-packages

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build
