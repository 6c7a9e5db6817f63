#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): writes the service worker (assets/sw.js) into the build with
# this build's id (a hash of its files) and the files it caches on install: the page, both CPU
# workers, the default weights and maps (MNIST AE and VAE) and the MNIST data. Also stamps the id
# into index.html (<meta name="lsx-build">), so a person (or a test) can tell which build runs.
set -euo pipefail
cd "${TRUNK_STAGING_DIR:?run by trunk build}"
precache=(index.html app-*.js app-*_bg.wasm style-*.css worker_loader.js worker.js worker_bg.wasm
  weights/mnist-ae.lsxw weights/mnist-ae.map weights/mnist-ae.json
  weights/mnist-vae.lsxw weights/mnist-vae.map weights/mnist-vae.json weights/mnist-rd.json data/mnist/*.gz)
for f in "${precache[@]}"; do [ -f "$f" ] || { echo "offline.sh: $f is missing from the build" >&2; exit 1; }; done
build=$(find . -type f ! -name index.html ! -name sw.js -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
list=$(printf '"%s",' "${precache[@]}")
sed -e "s/__BUILD__/$build/" -e "s|__PRECACHE__|[${list%,}]|" "$TRUNK_SOURCE_DIR/assets/sw.js" > sw.js
sed -i "s|<head>|<head>\n  <meta name=\"lsx-build\" content=\"$build\" />|" index.html
echo "offline.sh: build $build, ${#precache[@]} files cached on install"
