# The README's commands. `make serve` and `make test` install whatever is missing first.
SHELL := /bin/bash
# Compiled dependencies and npm tools live outside the clone when CARGO_TARGET_DIR / TOOLS_DIR say so
# (.ci/run points both at ~/.cache/latent-space-explorer), so a fresh clone on a machine that has built
# before is warm. Unset, the build uses ./target as usual.
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/latent-space-explorer
export TOOLS_DIR ?= $(CACHE_DIR)/tools
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export PATH := $(TOOLS_DIR)/bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
PORT ?= 8080

.PHONY: tools build serve test check fmt lint test-native test-wasm test-e2e bench soak weights curves clean

tools:
	@./scripts/install-tools.sh

# Release build of the page and its workers into dist/ (a debug trunk build is ~20 min cold: never use one).
build: tools
	cargo fetch --locked -q
	cargo fetch --locked -q --target wasm32-unknown-unknown
	trunk build --release

serve: build
	@echo "Serving the explorer at http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	@cd dist && python3 ../scripts/serve.py $(PORT)

fmt:
	cargo fmt --all -- --check

# Native code is built and linted with burn's wgpu backend (model feature `wgpu`: `train --device wgpu`).
NATIVE_FEATURES := --features model/wgpu,model/onnx

lint:
	cargo clippy --workspace --all-targets $(NATIVE_FEATURES),app/onnx -q -- -D warnings

# Native tests, the wgpu ones (model/tests/gpu.rs) on Mesa's lavapipe, a software Vulkan driver from
# Debian (install-tools.sh), then the CUDA feature compiled (type-checked: `cargo check`). burn's CUDA
# backend builds its LLVM shim from a bundle that tracel-llvm-bundler downloads from GitHub, which
# this machine cannot reach; DOCS_RS=1 is that crate's own switch to skip it, as docs.rs does.
test-native:
	cargo test --workspace --exclude tests $(NATIVE_FEATURES) -q
	DOCS_RS=1 cargo check -q --locked -p model --features cuda --bins

# The model's step in headless Chromium (wasm-bindgen-test), compared with the native losses. Each run
# names `app` beside `model` and uses a profile Trunk has just built, so its dependencies resolve with
# the same features as the page's build and are reused: WebGPU in the `gpu` profile (as the WebGPU
# worker), flex in `release` (the CPU path; tests skip LTO, so burn's CPU crates build once more).
WASM_TEST := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=$$(command -v chromedriver) \
	WASM_BINDGEN_TEST_TIMEOUT=300 cargo test -p model -p app --target wasm32-unknown-unknown --test web
test-wasm:
	$(WASM_TEST) --profile gpu --no-default-features --features app/gpu
	$(WASM_TEST) --release

# End-to-end: the built dist/ in headless Chromium (one browser at a time: they share two cores);
# axe-core (the accessibility audit) comes from npm for the tests only.
test-e2e:
	cd tests/axe && npm ci --no-audit --no-fund --loglevel=error
	cargo build -q --locked -p model --bin train $(NATIVE_FEATURES)
	cargo test -p tests -- --test-threads=1 --nocapture

test: tools fmt lint test-native build test-wasm test-e2e
	@echo "make test: all passed"

# The inner loop: format, lints, native tests (no wasm build, no browser).
check: fmt lint test-native
	@echo "make check: all passed"

# The pretrained models the page opens with: seeded, so a rerun gives the same files (f16, with a
# JSON record of the command and test metrics beside each).
WEIGHT_STEPS ?= 5000
weights:
	cargo build -q -p model --release --bin train
	mkdir -p assets/weights
	for ds in mnist fashion-mnist; do for kind in ae vae; do \
	  $(CARGO_TARGET_DIR)/release/train --dataset $$ds --kind $$kind --steps $(WEIGHT_STEPS) --seed 42 --half \
	    --out assets/weights/$$ds-$$kind.lsxw || exit 1; \
	done; done

# The rate-distortion curves the compression panel draws: a seeded AE per code size (and a PCA of the
# pixels with as many components), test reconstruction error each, into assets/weights/<dataset>-rd.json.
CURVE_SIZES ?= 2 4 8 16 32
curves:
	cargo build -q -p model --profile native --bin train
	for ds in mnist fashion-mnist; do rm -f assets/weights/$$ds-rd.json; for l in $(CURVE_SIZES); do \
	  $(CARGO_TARGET_DIR)/native/train --dataset $$ds --kind ae --latent $$l --steps $(WEIGHT_STEPS) --seed 42 \
	    --curve assets/weights/$$ds-rd.json || exit 1; \
	done; done

# Benchmarks (not part of `make test`): our release build against TensorFlow.js 4.22 (from npm, for the
# bench only: bench/tfjs/) in the same headless Chromium; writes bench/results.json and bench/RESULTS.md.
# The native side (Cargo profile `native`: train CLI, bench driver) builds while Trunk builds the wasm
# (separate target directories), so a cold run keeps both cores busy. BENCH_T0 (make's start) lets the
# report give the whole run's time, build included.
# BENCH_GPU=1 (on a machine with a real GPU) adds Chromium's hardware WebGPU and native wgpu rows;
# BENCH_CUDA=1 with it adds CUDA rows (burn's CUDA backend: its build downloads LLVM from GitHub).
BENCH_T0 := $(shell date +%s)
comma := ,
BENCH_FEATURES := $(if $(filter 1,$(BENCH_GPU)),--features model/wgpu$(if $(filter 1,$(BENCH_CUDA)),$(comma)model/cuda))
bench: tools
	cargo fetch --locked -q
	cargo fetch --locked -q --target wasm32-unknown-unknown
	cd bench/tfjs && npm ci --no-audit --no-fund --loglevel=error
	cargo build -q --locked --profile native -p model --bin train $(BENCH_FEATURES) -p tests --bin bench & native=$$!; \
	  trunk build --release && wait $$native
	mkdir -p dist/bench && ln -sfn $(CURDIR)/bench/tfjs dist/bench/tfjs
	BENCH_T0=$(BENCH_T0) $(CARGO_TARGET_DIR)/native/bench

# The soak (not part of `make test`): SOAK_MINUTES (30) of compare-mode training with the manifold on and
# a decode every second; memory of the page and each worker, step rate and long tasks once a minute,
# written to bench/soak.json.
SOAK_MINUTES ?= 30
soak: build
	SOAK_MINUTES=$(SOAK_MINUTES) cargo run -q --locked -p tests --bin soak

clean:
	rm -rf dist target/screenshots
