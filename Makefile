# Kindling: build, run, test.
GO ?= go
BIN := bin/kindling

.PHONY: build run test test-unit test-e2e bench-smoke vet

build:
	$(GO) build -o $(BIN) ./cmd/kindling

# One node with embedded storage and a demo function named "hello".
run: build
	KINDLING_ACCESS_KEY_ID=$${KINDLING_ACCESS_KEY_ID:-AKIDKINDLINGLOCAL} \
	KINDLING_SECRET_ACCESS_KEY=$${KINDLING_SECRET_ACCESS_KEY:-kindling-local-secret} \
	./$(BIN) serve --demo

vet:
	$(GO) vet ./...

# Unit tests with the race detector, then the end-to-end suite (built once,
# without -race, cases run serially), then each fuzz target briefly.
test: vet
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /test/e2e)
	$(GO) test -count=1 -p 1 -timeout 20m ./test/e2e/
	$(GO) test -run '^$$' -fuzz FuzzParseFunctionName -fuzztime 5s ./internal/lambda/
	$(GO) test -run '^$$' -fuzz FuzzCheck -fuzztime 5s ./internal/codepkg/

# A short benchmark run: numbers only, no thresholds.
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 300x -count=1 ./test/e2e/
