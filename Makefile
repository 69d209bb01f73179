# The README's two commands. Each does its own set-up on a fresh machine: npm ci, build, Redis for tests.
SHELL := /bin/bash
export ONNXRUNTIME_NODE_INSTALL := skip
export TURBO_TELEMETRY_DISABLED := 1
export NODE_OPTIONS := --max-old-space-size=8192

.PHONY: setup build lint test demo clean

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

setup: node_modules/.package-lock.json build

build: node_modules/.package-lock.json
	npx turbo run build --output-logs=errors-only

lint: setup
	node scripts/check-layout.mjs
	npx eslint .
	npx turbo run check-types --output-logs=errors-only

test: setup lint
	@mkdir -p .tmp
	scripts/with-redis.sh npx vitest run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-report.json; \
	  rc=$$?; node scripts/test-summary.mjs .tmp/vitest-report.json || rc=1; exit $$rc

demo: setup
	node packages/cli/dist/bin.js demo

clean:
	rm -rf packages/*/dist apps/*/dist .turbo packages/*/.turbo
