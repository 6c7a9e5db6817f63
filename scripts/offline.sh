#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): writes the service worker (assets/sw.js) into the build with
# this build's id (a hash of its files) and the files it caches on install: the page, both CPU
# workers, the default weights and maps (MNIST AE and VAE) and the MNIST data. Also stamps the id
# into index.html (<meta name="lsx-build">), so a person (or a test) can tell which build runs.
# First it moves Trunk's inline start-up script into a file (start-<hash>.js) and adds the page's
# Content-Security-Policy (no inline script, no eval: scripts/csp.txt) as a <meta> tag, so a strict
# policy holds on any static host; scripts/serve.py and the tests' server also send it as a header,
# which is what covers the workers.
set -euo pipefail
cd "${TRUNK_STAGING_DIR:?run by trunk build}"
CSP="$(tr -s ' \n' ' ' < "$TRUNK_SOURCE_DIR/scripts/csp.txt" | sed 's/ *$//')" python3 - <<'PY'
import hashlib, os, re
html = open("index.html").read()
scripts = re.findall(r'<script type="module">(.*?)</script>', html, re.S)
if len(scripts) != 1:
    raise SystemExit(f"offline.sh: expected Trunk's one inline start-up script, found {len(scripts)}")
body = scripts[0].strip() + "\n"
name = f"start-{hashlib.sha256(body.encode()).hexdigest()[:16]}.js"
open(name, "w").write(body)
html = html.replace(f'<script type="module">{scripts[0]}</script>', f'<script type="module" src="./{name}"></script>')
# Trunk's <link rel="modulepreload"> of the page's JS is removed: Firefox ESR 153, fetching it while
# start.js imports the same file, left the app unstarted (no wasm fetched, a blank page) in about half
# of the loads in tests/tests/engines.rs, and in none of them without it. start.js imports it at once.
html, n = re.subn(r'<link rel="modulepreload"[^>]*>', '', html)
if n != 1:
    raise SystemExit(f"offline.sh: expected Trunk's one modulepreload link, found {n}")
meta = f'<meta http-equiv="Content-Security-Policy" content="{os.environ["CSP"]}" />'
html = html.replace("<head>", f"<head>\n  {meta}", 1)
if "<script>" in html or 'type="module">' in html:
    raise SystemExit("offline.sh: an inline script is left in index.html")
open("index.html", "w").write(html)
PY
precache=(index.html start-*.js app-*.js app-*_bg.wasm style-*.css worker_loader.js worker.js worker_bg.wasm
  weights/mnist-ae.lsxw weights/mnist-ae.map weights/mnist-ae.json
  weights/mnist-vae.lsxw weights/mnist-vae.map weights/mnist-vae.json weights/mnist-rd.json data/mnist/*.gz)
for f in "${precache[@]}"; do [ -f "$f" ] || { echo "offline.sh: $f is missing from the build" >&2; exit 1; }; done
build=$(find . -type f ! -name index.html ! -name sw.js -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
list=$(printf '"%s",' "${precache[@]}")
sed -e "s/__BUILD__/$build/" -e "s|__PRECACHE__|[${list%,}]|" "$TRUNK_SOURCE_DIR/assets/sw.js" > sw.js
sed -i "s|<head>|<head>\n  <meta name=\"lsx-build\" content=\"$build\" />|" index.html
echo "offline.sh: build $build, ${#precache[@]} files cached on install"
