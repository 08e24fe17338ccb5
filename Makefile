# The verbs of motostack. Each target calls a small script in scripts/.
# `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash
export STACK_URL YES REQUIRE_DOCKER NAME WITH_FIXTURES V

# Settings from .env (see .env.example) reach `make dev` and the scripts too.
-include .env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' .env 2>/dev/null)

.PHONY: help up down logs ps seed plan reset dev aws-plan aws-apply aws-destroy aws-export snapshot-save snapshot-load snapshot-list watch new-service remove-service remove-example test lint unit moto moto-tests e2e e2e-compose fmt lock bench bench-moto screenshots clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

up: ## Start the stack (compose, or local processes without Docker); returns when healthy and seeded
	@scripts/up.sh

down: ## Stop this checkout's stack (keeps Moto's state; `make down V=1` deletes it)
	@scripts/stack.sh down

logs: ## Follow the stack's logs
	@scripts/stack.sh logs

ps: ## Show the stack's containers or processes and their health
	@scripts/stack.sh ps

seed: ## Run the seeder again (idempotent) against the running stack
	@scripts/seed.sh

plan: ## What the seeder would create or change in the running stack (changes nothing)
	@scripts/seed.sh plan

reset: ## Wipe emulated AWS state and re-seed (asks first unless YES=1)
	@scripts/reset.sh

dev: ## Run the stack as local processes without Docker (Ctrl-C stops it)
	@scripts/bootstrap.sh && .venv/bin/python -m devstack

snapshot-save: ## Save the running stack's emulated AWS state as snapshots/NAME.dms
	@scripts/snapshot.sh save "$(NAME)"

snapshot-load: ## Replace the running stack's state with snapshots/NAME.dms
	@scripts/snapshot.sh load "$(NAME)"

snapshot-list: ## List saved state snapshots
	@scripts/snapshot.sh list

watch: ## Compose stack with code edits synced into the running services
	@scripts/compose.sh -f compose.yaml -f compose.override.yaml -f compose.watch.yaml watch

new-service: ## A new service NAME from the template: /api/NAME/items, its table, tests
	@scripts/bootstrap.sh && .venv/bin/python -m scaffold new-service "$(NAME)"

remove-service: ## Remove the service NAME, its tests and its registry and compose entries
	@scripts/bootstrap.sh && .venv/bin/python -m scaffold remove-service "$(NAME)"

remove-example: ## Remove the example shop (catalog, orders, fulfillment), keep the platform
	@scripts/bootstrap.sh && .venv/bin/python -m scaffold remove-example

test: ## Lint, unit tests, durable Moto's and Moto's own tests, e2e on local processes and (with Docker) on compose
	@scripts/test.sh

lint: ## ruff check, ruff format --check, mypy
	@scripts/bootstrap.sh && scripts/lint.sh

unit: ## Unit tests only
	@scripts/bootstrap.sh && .venv/bin/pytest -q tests

moto: ## durable Moto in the foreground on 127.0.0.1:4566, state in .data/moto
	@scripts/bootstrap.sh && MOTO_DATA_DIR=$${MOTO_DATA_DIR:-.data/moto} \
		.venv/bin/durable-moto serve --host 127.0.0.1 --port $${MOTO_PORT:-4566}

moto-tests: ## durable Moto's own tests (matrix, crash loop, corruption), then Moto's tests against it
	@scripts/bootstrap.sh && .venv/bin/pytest -q moto/tests && scripts/moto-upstream-tests.sh

e2e: ## e2e suite against STACK_URL, or a local stack it starts itself
	@scripts/bootstrap.sh && .venv/bin/pytest -q e2e

screenshots: ## The demo's views, shot by its browser tests, into docs/screenshots/ (needs the example shop)
	@if [ ! -f e2e/shop/test_demo.py ]; then \
		echo "make screenshots: the demo's browser tests went with the example shop (make remove-example)" >&2; exit 2; fi
	@scripts/bootstrap.sh && E2E_SCREENSHOTS=docs/screenshots .venv/bin/pytest -q e2e/shop/test_demo.py

e2e-compose: ## e2e suite against a compose stack of its own
	@scripts/bootstrap.sh && E2E_STACK=compose .venv/bin/pytest -q e2e

bench: ## Every benchmark (bench/), results and plots into the docs
	@scripts/bench.sh

bench-moto: ## durable vs plain Moto side by side: moto/BENCHMARKS.md + plots
	@scripts/bench.sh moto

aws-plan: ## Real AWS (ALLOW_REAL_AWS=1): what apply would create or change
	@scripts/aws.sh plan

aws-apply: ## Real AWS: create the stack's resources (YES=1 to confirm; WITH_FIXTURES=1 for demo data)
	@scripts/aws.sh apply

aws-destroy: ## Real AWS: delete the stack's resources, data included (asks for the stack name)
	@scripts/aws.sh destroy

aws-export: ## IAM policy per service + CloudFormation template into deploy/ (no AWS calls)
	@scripts/bootstrap.sh && .venv/bin/python -m seed export --out deploy

fmt: ## Format and auto-fix
	@scripts/bootstrap.sh && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

lock: ## Re-resolve the lock files from pyproject.toml and moto/pyproject.toml
	@scripts/bootstrap.sh && scripts/lock.sh

clean: ## Remove the virtualenv and local state under .data/
	rm -rf .venv .data
