# Activity Lab. The two commands a fresh machine needs: `make up` and `make test`.
# Each prepares what the machine lacks first (scripts/provision.sh: engine, Compose, base image).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
LAB := $(VENV)/bin/lab
COMPOSE := docker compose
# Worker counts: `make up DATANODES=3 NODEMANAGERS=2 SUPERVISORS=2`. HDFS replication follows the
# DataNode count, at most 3.
DATANODES ?= $(or $(shell sed -n 's/^DATANODES=//p' .env 2>/dev/null),1)
# (command-line values such as DATANODES=3 reach docker compose through the environment)
export HDFS_REPLICATION := $(shell n=$(DATANODES); echo $$(( n < 3 ? n : 3 )))
export COMPOSE_PROGRESS ?= plain
# `make up LIGHT=1`: the light lab for 8 GiB machines, without the batch engines (profile `batch` in compose.yaml).
ifeq ($(LIGHT),1)
export COMPOSE_PROFILES := light
endif

.PHONY: help provision env venv build up down clean test lint test-unit test-e2e status smoke logs bench browser beeline promtool

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

provision:  ## install/start what this machine lacks (engine, Compose, base image)
	@bash scripts/provision.sh

env:  ## write .env (random secrets) on first run; add new keys later
	@python3 scripts/make_env.py

$(VENV)/.installed: requirements/host.txt pyproject.toml | provision
	@echo "[venv] installing the host tools into $(VENV)"
	@python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q -r requirements/host.txt
	@$(VENV)/bin/pip install -q --no-deps -e .
	@touch $@
venv: $(VENV)/.installed  ## the host Python environment (lab CLI, test clients)

build: provision env  ## build the images (slow layers cached), then delete the ones a rebuild left untagged
	@$(COMPOSE) build
	@docker image prune -f --filter label=org.activitylab.project=activity-lab >/dev/null

up:  ## start the whole lab and wait until every service is healthy (LIGHT=1: no batch engines)
	@$(MAKE) --no-print-directory -j2 build venv   # the host's venv installs while the images build
	@$(LAB) up

down:  ## stop the lab, keep its data
	@$(COMPOSE) down

clean:  ## stop the lab and delete its data volumes
	@$(COMPOSE) down -v --remove-orphans

status: venv  ## every service with its health and URL
	@$(LAB) status

smoke: venv  ## component checks, human-readable
	@$(LAB) smoke

beeline: venv  ## beeline on HiveServer2, database activity (lab beeline)
	@$(LAB) beeline

logs:  ## follow the logs of every service
	@$(COMPOSE) logs -f --tail 50

lint: venv  ## format, lint and types: ruff over the whole tree, mypy on the contract, the clients and the CLI
	@$(VENV)/bin/ruff format --check --quiet . || { echo "[lint] run: $(VENV)/bin/ruff format ."; exit 1; }
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/mypy
	@echo "[lint] ruff format, ruff check and mypy: clean"

test-unit: venv env promtool  ## fast tests, no containers (the packaging test reads .env)
	@$(VENV)/bin/pytest -q -m "not e2e" tests/unit

# promtool, from Debian's prometheus package unpacked under build/ (not installed: that would start a second
# Prometheus on the host): the unit tests check the alert rules with it (monitoring/README.md).
PROMTOOL := build/tools/promtool
promtool: $(PROMTOOL)
$(PROMTOOL):
	@echo "[promtool] unpacking Debian's prometheus package into build/tools (the alert rules' tests use promtool)"
	@rm -rf build/tools/deb && mkdir -p build/tools/deb
	@cd build/tools/deb && { apt-get download -qq prometheus 2>/dev/null || { apt-get update -qq && apt-get download -qq prometheus; }; }
	@dpkg-deb -x build/tools/deb/prometheus_*.deb build/tools/deb/root
	@cp build/tools/deb/root/usr/bin/promtool $@ && rm -rf build/tools/deb
	@$@ --version | head -1

browser:  ## Debian's chromium for the dashboard's end-to-end test (Playwright drives it; nothing is downloaded)
	@test -x /usr/bin/chromium || { echo "[browser] /usr/bin/chromium missing: installing Debian's chromium"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Four steps (tests/e2e/conftest.py): the tests that can run side by side, on two workers (the daily DAG's test
# first); the ones that measure the simulated users' flow; the other ones that change the users, beside the archive's
# kill; then the ones that stop services, one at a time.
test-e2e: up browser  ## end-to-end tests against the running lab
	@$(VENV)/bin/pytest -q --durations=15 -n 2 --dist load -m "e2e and not later" tests/e2e
	@$(VENV)/bin/pytest -q --durations=5 -m "e2e and step2" tests/e2e
	@$(VENV)/bin/pytest -q --durations=5 -n 2 --dist load -m "e2e and step3" tests/e2e
	@$(VENV)/bin/pytest -q --durations=5 -m "e2e and step4" tests/e2e

test: lint test-unit test-e2e  ## lint, unit tests, then end-to-end tests (starting the lab if needed)

bench: venv  ## startup time and memory of the lab, written to docs/benchmarks.md
	@$(LAB) bench startup
