# txad — the two commands are `make run` and `make test`; the rest are their steps.
SWIFT       ?= swift
SWIFT_FLAGS ?=
RELEASE_BIN  = .build/release
TEST_FLAGS  ?=

.PHONY: run test test-api test-fuzz-corpus fuzz deps build release proto check-proto validate-ops bench format clean

## Install what is missing, build release, train a default model if none exists, start the local cluster.
run: deps release
	$(RELEASE_BIN)/txad up $(UP_FLAGS)

# Test targets run one after another, each in its own process: CPU-heavy model tests on the 2-thread cooperative pool
# would otherwise starve the RPC and end-to-end tests' deadlines. Within a target, tests still run in parallel.
TEST_TARGETS ?= DomainTests WireTests DetectionTests StoresTests AuthTests GatewayTests DashboardTests PreprocessingTests \
	InferenceTests AlertsTests RegistryTests LifecycleTests NotificationsTests EndToEndTests

## Install what is missing, check generated code and the operations files, build and run the whole test suite.
test: deps check-proto
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	@.ci/validate-ops
	@failed=""; for target in $(TEST_TARGETS); do \
		[ -d Tests/$$target ] || continue; \
		echo "== $$target"; \
		$(SWIFT) test --skip-build $(SWIFT_FLAGS) $(TEST_FLAGS) --filter "^$$target\\." || failed="$$failed $$target"; \
	done; \
	echo "== BrowserTests (.ci/browser-test: the dashboard in headless chromium)"; \
	.ci/browser-test || failed="$$failed BrowserTests"; \
	if [ -n "$$failed" ]; then echo "failed test targets:$$failed"; exit 1; fi; echo "all test targets passed"
	$(MAKE) test-fuzz-corpus test-api

FUZZ_TARGETS  = wire transaction-json csv bundle
FUZZ_SECONDS ?= 60

## Replays the committed fuzz corpus through each target (regression: no input may crash).
test-fuzz-corpus:
	@for t in $(FUZZ_TARGETS); do SWIFT_BACKTRACE=enable=no .build/debug/txad-fuzz $$t Fuzz/corpus/$$t || exit 1; done

## libFuzzer + AddressSanitizer on each target for FUZZ_SECONDS (new inputs in .build-fuzz/corpus, crashes in
## .build-fuzz/crashes; copy a crash into Fuzz/corpus/TARGET once fixed).
fuzz: deps
	$(SWIFT) build --scratch-path .build-fuzz --product txad-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
		-Xswiftc -use-ld=lld
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p .build-fuzz/corpus/$$t .build-fuzz/crashes; \
		echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
		SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 .build-fuzz/debug/txad-fuzz $$t .build-fuzz/corpus/$$t Fuzz/corpus/$$t \
			-max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=.build-fuzz/crashes/$$t- \
			-print_final_stats=1 || exit 1; \
	done

## The running gateway against its OpenAPI document (schemathesis, all checks, fixed seed; a throwaway cluster).
## ST_EXAMPLES examples per operation (100 in `make test`, ≈ 3,700 cases over the 30 operations; 300 for a deeper run).
ST_EXAMPLES ?= 100
test-api:
	TXAD_ST_EXAMPLES=$(ST_EXAMPLES) .ci/schemathesis

## Debian packages (idempotent: installs only what is missing).
deps:
	@.ci/install-deps

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

## Regenerate the protoc-c output in Shared/CTxadProto from proto/txad/v1.
proto: deps
	@.ci/gen-proto

## Fail when the committed protoc-c output is stale.
check-proto:
	@.ci/gen-proto --check

## Offline checks of compose/ (promtool, docker-compose v1, compose schema, kustomize, kubernetes-validate, checkov,
## Dockerfile vs ldd of the built binaries: .build/release when built, else .build/debug).
validate-ops: deps
	@.ci/validate-ops

## Benchmarks (release build): RPC layer, models, whole stack.
bench: release
	$(RELEASE_BIN)/txad bench all

clean:
	rm -rf .build .txad
