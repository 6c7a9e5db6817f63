// TensorFlow.js reference for `make bench`: the explorer's MLP autoencoder (AE or VAE) trained on
// MNIST with Adam, the same network, loss, batch size and learning rate as the Rust/burn app
// (model/src/nets). Reads the query, sets window.benchStatus while running, and ends with
// window.benchResult (also written as JSON into <pre id="result">).

const BATCH = 128;
const PIXELS = 784;
const LATENT = 2;
const ADAM_EPSILON = 1e-5;
const DATA_URL = '../../data/mnist/train-images-idx3-ubyte.gz';
const WASM_PATH = './node_modules/@tensorflow/tfjs-backend-wasm/dist/';

const statusEl = document.getElementById('status');
const resultEl = document.getElementById('result');

function setStatus(s) {
  window.benchStatus = s;
  if (statusEl) statusEl.textContent = s;
  console.log('[bench]', s);
}

function finish(result) {
  window.benchResult = result;
  if (resultEl) resultEl.textContent = JSON.stringify(result, null, 2);
  setStatus(result.ok ? 'done' : 'failed: ' + result.error);
}

function intParam(q, name, def, min) {
  const raw = q.get(name);
  if (raw === null || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`bad ${name}=${raw}: want an integer >= ${min}`);
  return v;
}

function parseQuery() {
  const q = new URLSearchParams(location.search);
  const backend = q.get('backend') || 'cpu';
  if (!['cpu', 'wasm', 'webgl', 'webgpu'].includes(backend)) throw new Error(`bad backend=${backend}`);
  const model = q.get('model') || 'ae';
  if (!['ae', 'vae'].includes(model)) throw new Error(`bad model=${model}`);
  return {
    backend,
    model,
    warmup: intParam(q, 'warmup', 5, 1),
    window: intParam(q, 'window', 20, 1),
    windows: intParam(q, 'windows', 5, 1),
    timeoutSec: intParam(q, 'timeout', 900, 1),
    // wasmThreads=N: tf.wasm.setThreadsCount(N) before init. Threads need a cross-origin isolated
    // page (COOP/COEP headers); backendInfo.threadsCount is what XNNPACK actually uses (on the
    // 2-core dev machine it stayed 1, with or without this).
    wasmThreads: intParam(q, 'wasmThreads', 0, 0),
    // trace=1: read every step's loss (a sync per step, so the timings are not comparable).
    trace: q.get('trace') === '1',
  };
}

function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

// ---- data ---------------------------------------------------------------------------------------

async function loadMnist() {
  setStatus('fetching MNIST');
  const resp = await fetch(DATA_URL);
  if (!resp.ok) throw new Error(`fetch ${DATA_URL}: HTTP ${resp.status}`);
  let bytes = new Uint8Array(await resp.arrayBuffer());
  // A server that sends the file with Content-Encoding: gzip has the browser inflate it already.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    setStatus('decompressing MNIST');
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  if (bytes.length < 16) throw new Error('MNIST file too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0);
  const count = dv.getUint32(4);
  const rows = dv.getUint32(8);
  const cols = dv.getUint32(12);
  if (magic !== 0x00000803) throw new Error(`bad IDX magic 0x${magic.toString(16)}`);
  if (rows * cols !== PIXELS) throw new Error(`bad image size ${rows}x${cols}`);
  if (bytes.length !== 16 + count * PIXELS) throw new Error(`IDX length ${bytes.length} != 16 + ${count}*784`);
  const images = new Float32Array(count * PIXELS);
  for (let i = 0; i < images.length; i++) images[i] = bytes[16 + i] / 255;
  return { images, count };
}

// Seeded PRNG (mulberry32) so the shuffle is the same every run.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffledOrder(n, seed) {
  const rnd = mulberry32(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

// Copies the next batch from host memory into a fresh tensor (as the app does each step). A fresh
// Float32Array every time: the cpu backend keeps the array it is given without copying it.
function makeBatcher(images, order) {
  let cursor = 0;
  return () => {
    const buf = new Float32Array(BATCH * PIXELS);
    for (let b = 0; b < BATCH; b++) {
      const idx = order[cursor];
      cursor = (cursor + 1) % order.length;
      buf.set(images.subarray(idx * PIXELS, (idx + 1) * PIXELS), b * PIXELS);
    }
    return tf.tensor2d(buf, [BATCH, PIXELS]);
  };
}

// ---- model --------------------------------------------------------------------------------------

// burn's LinearConfig default (Kaiming uniform, gain 1/√3): weights and bias ~ U(±1/√fan_in).
// Seeded (drawn on the host by tfjs), so every backend starts from the same weights.
function dense(fanIn, fanOut, name, seed) {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    w: tf.variable(tf.randomUniform([fanIn, fanOut], -bound, bound, 'float32', seed), true, name + '.w'),
    b: tf.variable(tf.randomUniform([fanOut], -bound, bound, 'float32', seed + 1), true, name + '.b'),
  };
}

function apply(layer, x) {
  return tf.add(tf.matMul(x, layer.w), layer.b);
}

function buildNet(kind) {
  const code = kind === 'vae' ? 2 * LATENT : LATENT;
  return {
    kind,
    enc: [dense(PIXELS, 512, 'enc0', 1), dense(512, 256, 'enc1', 3), dense(256, code, 'enc2', 5)],
    dec: [dense(LATENT, 256, 'dec0', 7), dense(256, 512, 'dec1', 9), dense(512, PIXELS, 'dec2', 11)],
  };
}

// Objective for one batch: per-pixel MSE (mean over batch and pixels), + β·KL/784 for a VAE
// (β = 1, KL per sample summed over the latent units, averaged over the batch).
function lossFn(net, x) {
  let h = tf.relu(apply(net.enc[0], x));
  h = tf.relu(apply(net.enc[1], h));
  const code = apply(net.enc[2], h);
  let z;
  let kl = null;
  if (net.kind === 'vae') {
    const mu = tf.slice(code, [0, 0], [-1, LATENT]);
    const logVar = tf.slice(code, [0, LATENT], [-1, LATENT]);
    const eps = tf.randomNormal([BATCH, LATENT]);
    z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
    const terms = tf.sub(tf.sub(tf.add(logVar, 1), tf.square(mu)), tf.exp(logVar));
    kl = tf.mean(tf.mul(tf.sum(terms, 1), -0.5));
  } else {
    z = code;
  }
  let d = tf.relu(apply(net.dec[0], z));
  d = tf.relu(apply(net.dec[1], d));
  const recon = tf.sigmoid(apply(net.dec[2], d));
  const mse = tf.mean(tf.squaredDifference(recon, x));
  return kl === null ? mse : tf.add(mse, tf.mul(kl, 1.0 / PIXELS));
}

// ---- backend ------------------------------------------------------------------------------------

async function initBackend(name, wasmThreads) {
  const info = {};
  if (name === 'wasm') {
    if (!tf.wasm) throw new Error('tf-backend-wasm bundle not loaded');
    tf.wasm.setWasmPaths(WASM_PATH);
    if (wasmThreads > 0) tf.wasm.setThreadsCount(wasmThreads);
  }
  if (name === 'webgpu') {
    if (!('gpu' in navigator) || !navigator.gpu) {
      throw new Error('WebGPU unavailable: navigator.gpu is undefined');
    }
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) throw new Error('WebGPU unavailable: navigator.gpu.requestAdapter() returned null');
    const ai = adapter.info || {};
    info.adapter = [ai.vendor, ai.architecture, ai.device, ai.description].filter(Boolean).join(' / ');
    if (!tf.findBackendFactory('webgpu')) throw new Error('tf-backend-webgpu did not register (bundle not loaded?)');
  }
  if (name === 'webgl') {
    const c = document.createElement('canvas');
    const gl = c.getContext('webgl2') || c.getContext('webgl');
    if (!gl) throw new Error('WebGL unavailable: no webgl2/webgl context');
    const dbg = gl.getExtension('WEBGL_debug_renderer_info');
    info.renderer = dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  }
  // tfjs reports a failed backend init through console.warn and a `false`: keep the reason.
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => {
    warnings.push(a.map(String).join(' '));
    warn.apply(console, a);
  };
  let ok;
  try {
    ok = await withTimeout(tf.setBackend(name), 120000, `tf.setBackend('${name}')`);
    await tf.ready();
  } finally {
    console.warn = warn;
  }
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`tf.setBackend('${name}') failed (active: ${tf.getBackend()})` +
      (warnings.length ? ': ' + warnings.join(' | ') : ''));
  }
  let simd = null;
  let threads = null;
  if (name === 'wasm') {
    simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    info.crossOriginIsolated = Boolean(self.crossOriginIsolated);
    info.threadsCount = tf.wasm.getThreadsCount ? tf.wasm.getThreadsCount() : null;
  }
  if (name === 'webgl') {
    info.webglVersion = tf.env().getNumber('WEBGL_VERSION');
    info.float32Render = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
  }
  return { simd, threads, info };
}

// ---- run ----------------------------------------------------------------------------------------

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function run(cfg) {
  if (typeof tf === 'undefined') {
    throw new Error('tf.min.js not loaded: run `npm ci` in bench/tfjs so node_modules sits next to the page');
  }
  setStatus(`initialising backend ${cfg.backend}`);
  const { simd, threads, info } = await initBackend(cfg.backend, cfg.wasmThreads);

  const { images, count } = await loadMnist();
  const order = shuffledOrder(count, 42);
  const nextBatch = makeBatcher(images, order);

  setStatus('building model');
  const net = buildNet(cfg.model);
  // Adam with burn's AdamConfig defaults (lr 1e-3 here, β 0.9/0.999, ε 1e-5). ε is explicit:
  // tfjs's default is the backend's epsilon(), 1e-7 or 1e-4 (webgl when its float test fails,
  // e.g. on SwiftShader), and 1e-4 visibly slows learning with these tiny gradients.
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, ADAM_EPSILON);

  const lossTrace = [];
  // One training step; returns the loss scalar (the caller disposes it).
  const step = () => {
    const x = nextBatch();
    const loss = optimizer.minimize(() => lossFn(net, x), true);
    x.dispose();
    if (cfg.trace) lossTrace.push(loss.dataSync()[0]);
    return loss;
  };

  setStatus('first step');
  let t0 = performance.now();
  let loss = step();
  const firstLoss = (await loss.data())[0];
  const firstStepMs = performance.now() - t0;
  loss.dispose();

  for (let i = 1; i < cfg.warmup; i++) {
    setStatus(`warm-up step ${i + 1}/${cfg.warmup}`);
    loss = step();
    if (i === cfg.warmup - 1) await loss.data();
    loss.dispose();
  }
  const tensorsAfterWarmup = tf.memory().numTensors;

  const windows = [];
  let finalLoss = NaN;
  for (let w = 0; w < cfg.windows; w++) {
    setStatus(`window ${w + 1}/${cfg.windows}`);
    t0 = performance.now();
    for (let i = 0; i < cfg.window; i++) {
      loss = step();
      if (i < cfg.window - 1) loss.dispose();
    }
    finalLoss = (await loss.data())[0];
    const secs = (performance.now() - t0) / 1000;
    loss.dispose();
    windows.push((cfg.window * BATCH) / secs);
    // Let the page breathe (status updates, GC) between windows; not inside the timing.
    await new Promise((r) => setTimeout(r, 0));
  }
  const tensorsAtEnd = tf.memory().numTensors;
  if (!Number.isFinite(finalLoss)) throw new Error(`loss is not finite: ${finalLoss}`);
  if (tensorsAtEnd > tensorsAfterWarmup) {
    throw new Error(`tensor leak: ${tensorsAfterWarmup} tensors after warm-up, ${tensorsAtEnd} at the end`);
  }

  return {
    backend: cfg.backend,
    model: cfg.model,
    ok: true,
    samplesPerSec: median(windows),
    windows,
    simd,
    threads,
    firstStepMs,
    firstLoss,
    finalLoss,
    tfjsVersion: tf.version.tfjs,
    batch: BATCH,
    adamEpsilon: ADAM_EPSILON,
    backendEpsilon: tf.backend().epsilon(),
    warmup: cfg.warmup,
    window: cfg.window,
    numTensors: tensorsAtEnd,
    backendInfo: info,
    hardwareConcurrency: navigator.hardwareConcurrency,
    userAgent: navigator.userAgent,
    ...(cfg.trace ? { lossTrace } : {}),
  };
}

(async () => {
  let cfg = { backend: null, model: null };
  try {
    cfg = parseQuery();
    finish(await withTimeout(run(cfg), cfg.timeoutSec * 1000, 'benchmark'));
  } catch (e) {
    console.error(e);
    finish({ backend: cfg.backend, model: cfg.model, ok: false, error: String(e) });
  }
})();
