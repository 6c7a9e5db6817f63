//! The JavaScript the harness runs in the page: the init script that records errors, long tasks and
//! downloads, and the snippets that read the maps and the decode panel.

/// Runs before any page script: collects console errors, uncaught errors and long tasks (> 50 ms).
pub(crate) const INIT_SCRIPT: &str = r#"
window.lsxErrors = [];
window.lsxLongTasks = [];
const origError = console.error;
console.error = (...a) => { window.lsxErrors.push(a.map(String).join(' ')); origError(...a); };
window.addEventListener('error', e => window.lsxErrors.push('error: ' + e.message));
window.addEventListener('unhandledrejection', e => window.lsxErrors.push('rejection: ' + e.reason));
document.addEventListener('securitypolicyviolation', e => window.lsxErrors.push('csp: ' + e.violatedDirective + ' blocked ' + e.blockedURI));
// The page's fault-injection hooks (window.lsxTest) exist only when this is set before it starts.
window.lsxTestHooks = true;
try {
  new PerformanceObserver(l => l.getEntries().forEach(e => window.lsxLongTasks.push([e.startTime, e.duration])))
    .observe({ type: 'longtask', buffered: true });
} catch (e) { window.lsxErrors.push('no longtask observer: ' + e); }
// Long animation frames (over 50 ms) with what filled them, to explain a long task: the scripts'
// invokers and durations, and the time from the start of rendering (style, layout, paint) to the end.
window.lsxLongFrames = [];
try {
  new PerformanceObserver(l => l.getEntries().forEach(e => window.lsxLongFrames.push({
    start: Math.round(e.startTime), duration: Math.round(e.duration), blocking: Math.round(e.blockingDuration),
    render: e.renderStart > 0 ? Math.round(e.startTime + e.duration - e.renderStart) : 0,
    scripts: e.scripts.map(s => `${s.invokerType} ${s.invoker} ${Math.round(s.duration)} ms`),
  }))).observe({ type: 'long-animation-frame', buffered: true });
} catch (e) { /* (an older browser: the long tasks alone) */ }
// Downloads are recorded as [file name, URL] instead of being saved, so tests can read them. The
// page's CSP (connect-src 'self') rightly forbids fetching blob: URLs, so each blob is kept by URL.
window.lsxDownloads = [];
window.lsxBlobs = new Map();
const origCreate = URL.createObjectURL;
URL.createObjectURL = function (b) { const u = origCreate.call(URL, b); window.lsxBlobs.set(u, b); return u; };
const origClick = HTMLAnchorElement.prototype.click;
HTMLAnchorElement.prototype.click = function () {
  if (this.download) { window.lsxDownloads.push([this.download, this.href]); return; }
  return origClick.call(this);
};
"#;

/// The centre of each class's cluster, in the map's CSS pixels: the coordinate-wise median of the
/// class's points that sit inside its cluster (at least 80 % of their 15 nearest map neighbours share
/// their label), so that stray points in other clusters do not drag the centre into a mixed region.
pub const CENTROIDS: &str = r#"
const m = window.lsxMap, v = window.lsxView, c = document.querySelector('[data-testid=latent-plot]');
const n = Math.min(m.labels.length, 4000), K = 15;
const med = a => { a.sort((x, y) => x - y); return a[a.length >> 1]; };
const pure = new Array(n).fill(false);
for (let i = 0; i < n; i++) {
  const d = [];
  for (let j = 0; j < n; j++) if (j !== i) d.push([(m.points[2*i]-m.points[2*j])**2 + (m.points[2*i+1]-m.points[2*j+1])**2, m.labels[j]]);
  d.sort((a, b) => a[0] - b[0]);
  pure[i] = d.slice(0, K).filter(e => e[1] === m.labels[i]).length >= 0.8 * K;
}
const out = [];
for (let k = 0; k < 10; k++) {
  let idx = [...Array(n).keys()].filter(i => m.labels[i] === k && pure[i]);
  if (idx.length === 0) idx = [...Array(n).keys()].filter(i => m.labels[i] === k);
  const z = [med(idx.map(i => m.points[2*i])), med(idx.map(i => m.points[2*i+1]))];
  const sx = c.width / 2 + (z[0] - v[0]) * v[2], sy = c.height / 2 - (z[1] - v[1]) * v[2];
  out.push([k, z[0], z[1], sx / v[3], sy / v[3], idx.length]);
}
return out;
"#;

/// The decoded 28x28 image as grey values in 0..1 (the canvas draws ink dark on white).
pub const DECODED: &str = r#"
const d = document.querySelector('[data-testid=decode-image]').getContext('2d').getImageData(0, 0, 28, 28).data;
const out = []; for (let i = 0; i < d.length; i += 4) out.push(1 - d[i] / 255); return out;
"#;

/// Defines `overWhite(d, i)`: the `[r, g, b]` of the pixel at byte `i` of ImageData `d` as it looks over
/// the white page. An opaque canvas's pixels are unchanged; a map overlay's transparent pixels are white
/// (raw, they read as black), so only what the overlay draws counts.
pub const OVER_WHITE: &str = "const overWhite = (d, i) => { const a = d[i + 3] / 255;
  return [d[i], d[i + 1], d[i + 2]].map(v => Math.round(v * a + 255 * (1 - a))); };";

/// Pixel counts of the canvas `testid` seen over white (see [`OVER_WHITE`]): `[pixels, non-white,
/// pure red (the path colour), pure black, grey (r = g = b strictly between 0 and 250)]`.
pub(crate) fn canvas_stats(testid: &str) -> String {
    format!(
        "const c = document.querySelector('[data-testid=\"{testid}\"]'); if (!c || !c.width) return [0,0,0,0,0];
         const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
         {OVER_WHITE}
         const s = [d.length / 4, 0, 0, 0, 0];
         for (let i = 0; i < d.length; i += 4) {{
           const [r, g, b] = overWhite(d, i);
           if (r < 250 || g < 250 || b < 250) s[1]++;
           if (r === 204 && g === 0 && b === 0) s[2]++;
           if (r === 0 && g === 0 && b === 0) s[3]++;
           if (r === g && g === b && r > 0 && r < 250) s[4]++;
         }}
         return s;"
    )
}

/// The long animation frames (see [`INIT_SCRIPT`]) that started between page times `from` and `to`
/// (ms), as `[{start, duration, blocking, render, scripts}]`.
pub fn long_frames(from: f64, to: f64) -> String {
    format!("return window.lsxLongFrames.filter(f => f.start >= {from} && f.start <= {to});")
}

/// The map's redraws so far: their count, then p50 / p90 / max (ms) of each part of a redraw
/// (`window.lsxDrawParts`: painting the manifold, the points, making the image, putting it).
pub fn draw_parts() -> String {
    "const parts = window.lsxDrawParts || [];
     const q = (k, f) => { const d = parts.map(p => p[k]).sort((a, b) => a - b); return Math.round(10 * (d[Math.floor(f * (d.length - 1))] || 0)) / 10; };
     return [parts.length, ...[0, 1, 2, 3].map(k => [q(k, 0.5), q(k, 0.9), q(k, 1)])];"
        .to_string()
}
