// The explorer's offline copy (a service worker). scripts/offline.sh writes it into each build with
// that build's id and file list, so a new build is a new worker: it caches the new files, then
// deletes the old build's (the datasets, the same bytes in every build, are kept).
//   - the page, both workers, the default weights and the default dataset are cached on install;
//   - any other file of the site (the other weights and datasets, the WebGPU worker) when first used;
//   - the page and the unhashed files (workers, weights) come from the network while there is one, so
//     an online load always runs the newest build, and from the cache when there is none (or when it
//     does not answer within 4 s);
//   - hashed files (app-<hash>.js, style-<hash>.css) and the datasets come from the cache first.
const BUILD = "__BUILD__";
const PRECACHE = __PRECACHE__;
const FILES = "lsx-build-" + BUILD;
const DATA = "lsx-data";
// How long to wait for the network's first byte before using the offline copy.
const NETWORK_MS = 4000;

const scope = () => self.registration.scope;
const cacheFor = (rel) => (rel.startsWith("data/") ? DATA : FILES);
const immutable = (rel) => rel.startsWith("data/") || /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/.test(rel);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const files = await caches.open(FILES);
      const data = await caches.open(DATA);
      for (const rel of PRECACHE) {
        const cache = cacheFor(rel) === DATA ? data : files;
        if (!(await cache.match(rel))) await cache.add(new Request(rel, { cache: "no-cache" }));
      }
      await files.put("./", (await files.match("index.html")).clone());
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("lsx-build-") && key !== FILES) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

async function respond(request) {
  const rel = request.url.slice(scope().length).split(/[?#]/)[0];
  const key = request.mode === "navigate" || rel === "" ? "./" : rel;
  const cache = await caches.open(cacheFor(rel));
  if (immutable(rel)) {
    const hit = await cache.match(key);
    if (hit) return hit;
  }
  try {
    // A network that does not answer within NETWORK_MS (bad Wi-Fi, a server gone) counts as none.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), NETWORK_MS);
    const init = { cache: "no-cache", signal: abort.signal };
    const fresh = await fetch(request.mode === "navigate" ? request.url : request, init).finally(() => clearTimeout(timer));
    if (fresh.ok && fresh.status === 200) await cache.put(key, fresh.clone());
    return fresh;
  } catch (offline) {
    const hit = (await cache.match(key)) || (await caches.match(key));
    if (hit) return hit;
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method === "GET" && request.url.startsWith(scope())) event.respondWith(respond(request));
});
