# The project's commands. Each installs what it is missing (wasm target, wasm-bindgen-cli at the
# Cargo.lock version, Chromium, npm packages), so a fresh machine needs only `make demo` / `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help demo test package bench bench-size sandbox generate test-native test-wasm test-package test-e2e test-admin clean

help:
	@echo "make demo     build the package, start the local sandbox, serve the admin demo"
	@echo "make test     every test tier (native, wasm in Node/Chromium/worker, package consumers)"
	@echo "make package  build the npm packages into pkg/ and pkg-sandbox/ (the emulator)"
	@echo "make bench    size, cold start and call benchmarks (results table for the README)"
	@echo "make bench-size  each wasm module built on stable and as shipped (bench/size-variants.md)"
	@echo "make sandbox  run the local cyzen + SenseLink emulator"
	@echo "make generate rewrite the files derived from the endpoint tables (TypeScript decoders, docs)"

demo:
	@scripts/demo.sh

test:
	@scripts/test.sh all

test-native:
	@scripts/test.sh native

test-wasm:
	@scripts/test.sh wasm

test-package:
	@scripts/test.sh package

test-e2e:
	@scripts/test.sh e2e

test-admin:
	@scripts/test.sh admin

package:
	@scripts/build-package.sh
	@scripts/build-sandbox-package.sh

bench:
	@scripts/bench.sh

bench-size:
	@scripts/bench-size.sh

sandbox:
	@cargo run --quiet --release -p cyzen-senselink-sandbox -- $(ARGS)

# The tables in src/senselink/operations.rs, src/senselink/shapes.rs and src/cyzen/resources.rs are
# the source of pkg-template/src/generated/*.ts and the table in docs/cyzen-paths.md; `cargo test`
# fails when those are out of date.
generate:
	@UPDATE_GENERATED=1 cargo test --quiet -p cyzen-senselink --lib generated

clean:
	rm -rf pkg pkg-sandbox target/pkg-build target/pkg-sandbox-build target/pkg-tests test-output
