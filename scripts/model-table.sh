#!/usr/bin/env bash
# Trains each model family natively on both datasets with the model crate's CLI and prints its metrics
# (the table in the model-core issue's note). Usage: scripts/model-table.sh [steps]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2000}
cargo build -q -p model --release --bin train
for ds in mnist fashion-mnist; do
  for arch in mlp conv; do
    for kind in ae vae; do
      echo "== $ds $arch $kind"
      "${CARGO_TARGET_DIR:-target}/release/train" --dataset "$ds" --arch "$arch" --kind "$kind" --steps "$steps" --eval 5000 | tail -2
    done
  done
done
