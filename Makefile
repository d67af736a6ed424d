# Sijil: `make run` serves the portal with demo data; `make test` installs
# what is missing, starts what the tests need, and runs them.

# Debian packages Sijil runs or tests against. postgresql brings the
# server the tests start themselves (internal/pgtest finds it under
# /usr/lib/postgresql/*/bin, which Debian keeps off PATH; $SIJIL_PG_BIN
# overrides); chromium runs the browser tests.
DEBS := tesseract-ocr tesseract-ocr-ara tesseract-ocr-eng tesseract-ocr-osd \
	poppler-utils zbar-tools qpdf fonts-hosny-amiri imagemagick libnss3-tools \
	postgresql chromium libvips-tools libtiff-tools

# The S3 server the tests start on loopback, built once from the Go module
# proxy at a pinned version and cached outside the repository.
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
TOOLS_DIR := $(HOME)/.cache/sijil/bin
MINIO := $(TOOLS_DIR)/minio

DATA ?= ./data
ADDR ?= 127.0.0.1:8080
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# axe-core, the accessibility engine the browser tests run on each page,
# fetched once from the npm registry and checked against its digest.
AXE_VERSION := 4.14.1
AXE_SHA256 := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
AXE := $(HOME)/.cache/sijil/axe/axe.min.js

VEGETA_VERSION := v12.13.0
VEGETA := $(TOOLS_DIR)/vegeta

.PHONY: run test build deps tools tools-bench bench bench-verify vet clean

run: deps build
	./bin/sijil serve --demo --data $(DATA) --addr $(ADDR)

test: deps tools vet
	SIJIL_MINIO=$(MINIO) SIJIL_AXE=$(AXE) go test -count=1 -timeout 30m ./...

build:
	go build -o bin/sijil ./cmd/sijil

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || \
		{ echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...

# bench runs every benchmark. The verify load benchmark issues 100,000
# certificates the first time (cached in ~/.cache/sijil/bench).
bench: deps tools tools-bench
	SIJIL_MINIO=$(MINIO) SIJIL_VEGETA=$(VEGETA) go test -run '^$$' -bench . -benchmem \
		-timeout 3h ./...

bench-verify: deps tools-bench
	SIJIL_VEGETA=$(VEGETA) go test -run '^$$' -bench BenchmarkVerifyAPIAt1000RPS \
		-benchtime 1x -timeout 3h ./cmd/sijil

tools-bench: $(VEGETA)

$(VEGETA):
	mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR) go install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

# deps installs the Debian packages that are missing; nothing when all are.
deps:
	@missing=$$(for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' \
		|| echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

tools: $(MINIO) $(AXE)

$(AXE):
	mkdir -p $(dir $(AXE))
	curl -fsSL -o $(AXE).tgz \
		https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz
	echo "$(AXE_SHA256)  $(AXE).tgz" | sha256sum -c --quiet
	tar -xzf $(AXE).tgz -O package/axe.min.js > $(AXE).tmp
	mv $(AXE).tmp $(AXE)
	rm $(AXE).tgz

$(MINIO):
	@echo "building MinIO $(MINIO_VERSION) into $(TOOLS_DIR) (about 7 minutes, once)"
	mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR) go install github.com/minio/minio@$(MINIO_VERSION)

clean:
	rm -rf bin
