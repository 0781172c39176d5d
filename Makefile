# The course's commands. Everything a fresh machine needs is installed from here.
#   make lab        create .venv, install requirements.txt, open JupyterLab on the course
#   make test       create/update .venv, run every test (unit, generator sync, notebooks)
#   make test-full  the same in full mode (complete datasets; meant for a GPU machine)
#   make test-full-smoke  every solution in a smoke run of full mode on this CPU (few steps, shipped data, Inception V3
#                   stand-in with random weights) + the slow stand-in tests: report, peak memory, plan in build/full-smoke
#   make test-repeat  the notebook tests three times in a row (determinism)
#   make test-numerics  nbval over solutions/ under other numeric set-ups (SIMD, oneDNN, threads): portable outputs
#   make test-oldest  every test in .venv-oldest: the oldest supported versions (utils/runtime.py SUPPORTED)
#   make test-latest  every test in .venv-latest: the newest releases the supported range allows
#   make test-browser JupyterLab in headless Chromium (notebooks 02, 03) + the html/slides exports opened offline
#   make notebooks  regenerate the student notebooks/ from solutions/
#   make solutions  re-execute solutions/ in place (stored outputs are the nbval reference)
#   make grade      grade student notebooks per exercise (NB="notebooks/01_*.ipynb" or a folder; JSON=1 for JSON)
#   make bench      time utils.conv.conv2d against a naive loop and tf.nn.conv2d
#   make html       the course site in build/html: course map, solution pages, student downloads (works offline)
#   make gallery    every figure of the executed solutions on one offline page: build/html/gallery.html
#   make slides     lecture decks (reveal.js, offline) in build/slides, every notebook or NB=solutions/01_...ipynb
#   make clean      remove caches (keeps .venv)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WEB    := web/node_modules/.installed
PORT   ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
NB     ?= solutions/*.ipynb

.PHONY: lab test test-full test-full-smoke test-repeat test-numerics test-oldest test-latest test-browser notebooks solutions grade \
        bench html gallery slides clean venv

venv: $(STAMP)

# Re-install whenever requirements.txt changes.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -r requirements.txt
	touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOT_FLAG) --port=$(PORT) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/README.md

test: $(STAMP)
	$(PY) -m pytest

test-full: $(STAMP)
	COURSE_MODE=full $(PY) -m pytest

# Not results: every notebook with full-mode sizes but a few steps per fit (utils.smoke); all steps run even if one fails.
test-full-smoke: $(STAMP)
	status=0; \
	COURSE_SLOW_TESTS=1 $(PY) -m pytest -n0 -q tests/test_inception_standin.py || status=1; \
	$(PY) tools/full_smoke.py || status=1; \
	$(PY) tools/full_mode_plan.py || status=1; \
	exit $$status

test-repeat: $(STAMP)
	for run in 1 2 3; do echo "== run $$run"; $(PY) -m pytest -q solutions tests/test_student_notebooks.py || exit 1; done

# Each numeric set-up re-runs nbval over solutions/; the notebooks' asserted claims (accuracies and their thresholds)
# are recorded per set-up in build/numerics/ and tabulated at the end.
test-numerics: $(STAMP)
	$(PY) tools/numerics.py

# The two ends of the supported version range, each in its own venv (requirements from tools/versions.py).
.venv-%/.installed: requirements.txt utils/runtime.py tools/versions.py
	test -x .venv-$*/bin/python || $(PYTHON) -m venv .venv-$*
	$(PYTHON) tools/versions.py $* > .venv-$*/requirements.txt
	.venv-$*/bin/python -m pip install -qq --upgrade pip
	.venv-$*/bin/python -m pip install -qq --upgrade -r .venv-$*/requirements.txt
	touch $@

test-oldest test-latest: test-%: .venv-%/.installed
	.venv-$*/bin/python -m pip list 2>/dev/null | grep -iE '^(tensorflow|keras|tensorflow-hub|numpy|matplotlib) '
	.venv-$*/bin/python -m pytest

notebooks: $(STAMP)
	$(PY) tools/generate_notebooks.py

solutions: $(STAMP)
	for nb in $(NB); do $(PY) tools/execute_notebooks.py $$nb || exit 1; done
	$(PY) tools/generate_notebooks.py

# Grades notebooks/ unless NB names notebooks or folders of submissions (NB's default names the solutions).
grade: $(STAMP)
	$(PY) tools/grade.py $(if $(JSON),--json) $(if $(filter file,$(origin NB)),notebooks,$(NB))

# Installs Debian's chromium and the pinned Python playwright when they are missing (needs root for apt-get).
test-browser: $(STAMP) $(WEB)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(PY) -c "import playwright" 2>/dev/null || $(PY) -m pip install -qq -r requirements-browser.txt
	$(PY) tools/browser_test.py

# The browser assets of the exports (MathJax, reveal.js, require.js, Font Awesome), pinned in web/package-lock.json,
# installed with npm from the npm registry and copied next to the pages, so that they work without a network.
$(WEB): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

html: $(STAMP) $(WEB)
	$(PY) tools/export_site.py html

# One page with every figure, each labelled by notebook, cell and the sentence before it (tools/gallery.py).
gallery: $(STAMP)
	$(PY) tools/gallery.py

slides: $(STAMP) $(WEB)
	$(PY) tools/export_site.py slides $(wildcard $(NB))

bench: $(STAMP)
	$(PY) benchmarks/conv.py

clean:
	rm -rf .pytest_cache data/cache build .venv-oldest .venv-latest
	find . -name __pycache__ -not -path './$(VENV)/*' -exec rm -rf {} +
