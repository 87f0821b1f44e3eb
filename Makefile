# MIF ERP. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO      ?= go
GOTOOL  := $(GO) tool -modfile=tools/go.mod
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
# make test PKGS=./internal/auth/... ARGS='-run TestLogin -v'
PKGS    ?= ./...
ARGS    ?=
# make fuzz FUZZTIME=1m
FUZZTIME ?= 10s

.PHONY: help generate check-generated contract-diff lint deploy-check test fuzz run cluster build bench-bin bench bench-scale docker db-stop clean clean-data

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

generate: ## regenerate gen/api (oapi-codegen), gen/db (sqlc) and the TypeScript SDK's types (sdk/typescript/src/generated)
	$(GOTOOL) oapi-codegen -config oapi-codegen.yaml api/openapi.yaml
	$(GOTOOL) sqlc generate
	@if [ ! -d sdk/typescript/node_modules ] || [ sdk/typescript/package-lock.json -nt sdk/typescript/node_modules/.package-lock.json ]; then \
	  echo "cd sdk/typescript && npm ci --ignore-scripts --no-audit --no-fund"; \
	  (cd sdk/typescript && npm ci --ignore-scripts --no-audit --no-fund); \
	fi
	cd sdk/typescript && npm run --silent generate

check-generated: generate ## fail if gen/ or sdk/typescript/src/generated differ from what api/ and sql/ generate
	@changes="$$(git status --porcelain -- gen/ sdk/typescript/src/generated/)"; \
	if [ -n "$$changes" ]; then \
	  echo "gen/ or sdk/typescript/src/generated/ is out of date with api/openapi.yaml or sql/: run 'make generate' and commit them." >&2; \
	  echo "$$changes" >&2; \
	  git --no-pager diff --stat -- gen/ sdk/typescript/src/generated/ >&2; \
	  exit 1; \
	fi; \
	echo "gen/ and sdk/typescript/src/generated/ are up to date"

node_modules: package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

contract-diff: ## fail on a breaking change against api/released/openapi.yaml (oasdiff) unless the major version and CHANGELOG.md say so
	bash scripts/contract-diff.sh

lint: node_modules ## redocly lint of the spec, go vet, gofmt
	REDOCLY_TELEMETRY=off npx --no-install redocly lint api/openapi.yaml
	$(GO) vet ./...
	@unformatted="$$(find . \( -path ./gen -o -path ./node_modules -o -path ./.data -o -path ./.git \) -prune \
	  -o -name '*.go' -print0 | xargs -0 -r gofmt -l)"; \
	if [ -n "$$unformatted" ]; then \
	  echo "gofmt would change these files (run: gofmt -w <file>):" >&2; \
	  echo "$$unformatted" >&2; \
	  exit 1; \
	fi

deploy-check: ## check deploy/: promtool (scrape config, alert rules and their tests, dashboard queries), helm lint and template, kubeconform on offline schemas
	GO='$(GO)' bash scripts/deploy-check.sh

test: ## go test -race ./... against a PostgreSQL (and Redis) started if needed
	PKGS='$(PKGS)' bash scripts/test.sh $(ARGS)

fuzz: ## every Go fuzz target (func FuzzXxx), one after the other, FUZZTIME each (default 10s); stops at the first failing input
	FUZZTIME='$(FUZZTIME)' bash scripts/fuzz.sh

run: ## build, migrate, seed and serve on PORT (default 8000); secrets kept in .data/secrets.env
	bash scripts/run.sh

cluster: build ## three replicas (8101-8103, scheduler on each) behind nginx on :8100, one PostgreSQL and Redis; logs in .data/cluster
	bash scripts/cluster.sh

build: ## build bin/erp
	@mkdir -p bin
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/erp ./cmd/erp

bench-bin: build
	$(GO) build -o bin/bench ./cmd/bench

bench: bench-bin ## load benchmark, closed then open loop, shares of the PK floor (BENCH_USERS, BENCH_DURATION, BENCH_THINK, BENCH_SCALE, BENCH_FLOOR_DURATION, BENCH_RATE, BENCH_PROFILE=1); results in bench/results/
	bash scripts/bench.sh

bench-scale: bench-bin ## each hot read alone at several data sizes (BENCH_SCALE_STEPS, BENCH_SCALE_USERS, BENCH_SCALE_DURATION), one database per step; results in bench/results/scale-*
	bash scripts/bench-scale.sh

docker: ## build the image mif-erp
	docker build --build-arg VERSION=$(VERSION) -t mif-erp .

db-stop: ## stop the private PostgreSQL that `make run` may have started in .data/pg
	bash scripts/pg-ensure.sh stop-private

clean: ## remove build output
	rm -rf bin

clean-data: db-stop ## stop the private PostgreSQL and delete .data (its databases, documents and secrets.env are lost)
	rm -rf .data
