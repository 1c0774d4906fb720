# Tessera: one entry point for installing, running, testing and benchmarking.
SHELL := /bin/bash
.PHONY: tools-install test-clients test-deploy chromium-install
.PHONY: install deps stack-install stack-start stack-stop stack-status migrate test test-unit lint typecheck demo bench bench-core clean-stack

deps:
	@bash infra/local/deps.sh

stack-install:
	@bash infra/local/install.sh

stack-start: stack-install
	@bash infra/local/start.sh

stack-stop:
	@bash infra/local/stop.sh

stack-status:
	@bash infra/local/status.sh

install: deps stack-install

migrate: deps
	@npx tsx services/kit/migrate-cli.ts

typecheck: deps
	@npx tsc --noEmit -p tsconfig.json

lint: deps
	@npx eslint .

test-unit: deps
	@npx vitest run --project unit

test: install tools-install chromium-install typecheck lint
	@npx vitest run

demo: install
	@npx tsx services/demo/main.ts $(DEMO_ARGS)

bench-core: deps
	@node --expose-gc --import tsx bench/core.ts

bench: install
	@npx tsx bench/run.ts

# Headless Chromium for the browser tests (test/browser): Debian's package, installed once, checked once per version.
chromium-install:
	@bash infra/local/chromium.sh

# Client and deployment checks: Python consumer, clickhouse-client, current ClickHouse (chDB), infra/deploy/ validation.
# Their tools install once into $(TESSERA_HOME)/tools (a cold helm + promtool build takes minutes; then seconds).
tools-install:
	@bash infra/local/install-tools.sh

test-clients: install tools-install
	@npx vitest run test/clients test/setup/stack-kind.test.ts

test-deploy: install tools-install
	@npx vitest run test/deploy
