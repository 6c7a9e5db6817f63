#!/usr/bin/env bash
# Installs every tool the build and tests need, from the package registries only (crates.io, npm, Debian).
# Idempotent: each step is skipped when its version check passes, so a second run takes about a second.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# npm tools (wasm-opt) go to a per-user cache, shared by every clone; cargo tools to ~/.cargo/bin.
TOOLS_DIR="${TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/latent-space-explorer/tools}"
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
GECKODRIVER_VERSION=0.37.1
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")

mkdir -p "$TOOLS_DIR/bin"
export PATH="$TOOLS_DIR/bin:$HOME/.cargo/bin:$PATH"
say() { printf '[install-tools] %s\n' "$*"; }
sudo_if() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -qx "trunk $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 6 min)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "wasm-bindgen $WB_VERSION" ||
   ! wasm-bindgen-test-runner --version 2>/dev/null | grep -q "$WB_VERSION"; then
  # No --locked: its lockfile pins a webpki-roots version the registry here does not offer.
  say "installing wasm-bindgen-cli $WB_VERSION (about 2 min)"
  cargo install --force "wasm-bindgen-cli@$WB_VERSION"
fi

# Debian's binaryen 108 emits broken modules; npm's binaryen (wasm-opt compiled to wasm) works.
if ! "$TOOLS_DIR/bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing binaryen@$BINARYEN_VERSION (wasm-opt) from npm"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION"
  ln -sf "$TOOLS_DIR/node_modules/.bin/wasm-opt" "$TOOLS_DIR/bin/wasm-opt"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing Debian chromium and chromium-driver"
  sudo_if apt-get update -qq
  sudo_if env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# The other engines the core suite runs in (tests/tests/engines.rs): Firefox ESR and WebKitGTK (Safari's
# engine: its MiniBrowser and WebDriver), drawn into Xvfb.
if ! command -v firefox-esr >/dev/null || ! command -v WebKitWebDriver >/dev/null || ! command -v Xvfb >/dev/null; then
  say "installing Debian firefox-esr, webkit2gtk-driver and xvfb"
  sudo_if apt-get update -qq
  sudo_if env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr webkit2gtk-driver xvfb >/dev/null
fi

if ! geckodriver --version 2>/dev/null | grep -q "geckodriver $GECKODRIVER_VERSION"; then
  say "installing geckodriver $GECKODRIVER_VERSION (about 2 min)"
  cargo install --locked "geckodriver@$GECKODRIVER_VERSION"
fi

# Mesa's lavapipe: a software Vulkan driver, so burn's native wgpu backend runs in the tests.
if ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  say "installing Debian mesa-vulkan-drivers (lavapipe, software Vulkan)"
  sudo_if apt-get update -qq
  sudo_if env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
fi

say "ok: $(trunk --version), $(wasm-bindgen --version), wasm-opt $("$TOOLS_DIR/bin/wasm-opt" --version | awk '{print $3}'), $(chromedriver --version | awk '{print $1, $2}'), $(geckodriver --version | head -1), $(firefox-esr --version), WebKitGTK $(dpkg-query -W -f '${Version}' libwebkit2gtk-4.1-0)"
