# The course's commands. Everything a fresh machine needs is installed from here.
#   make lab        create .venv, install requirements.txt, open JupyterLab on the course
#   make test       create/update .venv, run every test (unit, generator sync, notebooks)
#   make notebooks  regenerate the student notebooks/ from solutions/
#   make solutions  re-execute solutions/ in place (stored outputs are the nbval reference)
#   make bench      time utils.conv.conv2d against a naive loop and tf.nn.conv2d
#   make clean      remove caches (keeps .venv)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
NB     ?= solutions/*.ipynb

.PHONY: lab test notebooks solutions bench clean venv

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

notebooks: $(STAMP)
	$(PY) tools/generate_notebooks.py

solutions: $(STAMP)
	$(PY) tools/execute_notebooks.py $(NB)
	$(PY) tools/generate_notebooks.py

bench: $(STAMP)
	$(PY) benchmarks/conv.py

clean:
	rm -rf .pytest_cache data/cache build
	find . -name __pycache__ -not -path './$(VENV)/*' -exec rm -rf {} +
