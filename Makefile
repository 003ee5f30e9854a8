# The two commands: `make dev` runs the whole product locally, `make test` runs every test.
# Pinned tools are built from the Go module proxy into ./bin once and reused.
SHELL := /bin/bash
.DEFAULT_GOAL := help
GO ?= go
BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)

TEMPORAL_CLI_VERSION := v1.5.1
VERSITYGW_VERSION    := v1.8.0
GOLANGCI_VERSION     := v2.15.0
WORKFLOWCHECK_VERSION := v0.6.0
ZITADEL_OIDC_VERSION := v3.52.0

TOOLS := $(BIN)/.temporal-$(TEMPORAL_CLI_VERSION) $(BIN)/.versitygw-$(VERSITYGW_VERSION) $(BIN)/.oidc-example-server-$(ZITADEL_OIDC_VERSION)

.PHONY: help dev test unit e2e lint tools build sqlc fmt bench clean distclean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

dev: tools build ## run the whole stack locally (Postgres, Temporal + UI, S3, the product, a demo org)
	@deploy/dev.sh

test: tools ## run unit, integration and end-to-end tests against real Postgres, Temporal and S3
	@scripts/test.sh

lint: ## gofmt, license headers, go vet, golangci-lint (depguard), workflowcheck, sqlc diff
	@scripts/lint.sh

build: ## build bin/bytechef-ee
	@$(GO) build -o $(BIN)/bytechef-ee ./cmd/bytechef-ee

tools: $(TOOLS) ## build the pinned Temporal CLI, Versity S3 gateway and zitadel example OpenID provider into ./bin

$(BIN)/.temporal-$(TEMPORAL_CLI_VERSION):
	@scripts/require-go.sh
	@echo "building Temporal CLI $(TEMPORAL_CLI_VERSION) into ./bin (first time takes a few minutes)"
	@GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)
	@touch $@

$(BIN)/.versitygw-$(VERSITYGW_VERSION):
	@scripts/require-go.sh
	@echo "building Versity S3 gateway $(VERSITYGW_VERSION) into ./bin"
	@GOBIN=$(BIN) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)
	@touch $@

# zitadel's example OpenID provider: the real OP the SSO tests log in against. Built in a
# scratch GOBIN so its generic binary name ("server") becomes bin/oidc-example-server.
$(BIN)/.oidc-example-server-$(ZITADEL_OIDC_VERSION):
	@scripts/require-go.sh
	@echo "building zitadel example OpenID provider $(ZITADEL_OIDC_VERSION) into ./bin"
	@rm -rf $(BIN)/.oidc-tmp && GOBIN=$(BIN)/.oidc-tmp $(GO) install github.com/zitadel/oidc/v3/example/server@$(ZITADEL_OIDC_VERSION)
	@mv $(BIN)/.oidc-tmp/server $(BIN)/oidc-example-server && rm -rf $(BIN)/.oidc-tmp
	@touch $@

$(BIN)/.golangci-$(GOLANGCI_VERSION):
	@GOBIN=$(BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	@touch $@

$(BIN)/.workflowcheck-$(WORKFLOWCHECK_VERSION):
	@GOBIN=$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)
	@touch $@

lint-tools: $(BIN)/.golangci-$(GOLANGCI_VERSION) $(BIN)/.workflowcheck-$(WORKFLOWCHECK_VERSION)

sqlc: ## regenerate db/dbsqlc from db/migrations and db/queries
	@$(GO) tool sqlc generate

fmt: ## gofmt and add missing license headers
	@gofmt -w $$(git ls-files '*.go') && scripts/license.sh fix

bench: tools ## run the benchmarks and update bench/RESULTS.md
	@scripts/bench.sh

clean: ## remove the local dev state (.dev); the database on a shared server is kept (make dev reuses it)
	rm -rf .dev

distclean: clean ## also remove ./bin (the pinned tools are rebuilt on next use)
	rm -rf $(BIN)
