//! Files shipped with the page: the bundled datasets (`data/<id>/`), the pretrained weights
//! (`weights/<dataset>-<kind>.lsxw`) and the maps beside them (`.map`: the test points' codes under
//! those weights). A shape without a shipped file is normal; a shipped file that is damaged is an error
//! the caller reports.

use model::{Dataset, DatasetName, Device, Kind, Net, NetConfig, weights};

use crate::js::{fetch_bytes, fetch_optional};

/// Loads one split of a bundled dataset from `data/<id>/`.
pub(crate) async fn load(name: DatasetName, train: bool) -> Result<Dataset, String> {
    let [ti, tl, vi, vl] = name.files();
    let (i, l) = if train { (ti, tl) } else { (vi, vl) };
    let base = format!("data/{}/", name.id());
    let images = fetch_bytes(&format!("{base}{i}")).await?;
    let labels = fetch_bytes(&format!("{base}{l}")).await?;
    Dataset::from_idx(&images, Some(&labels)).map_err(|e| format!("{} {}: {e}", name.id(), i))
}

fn path(dataset: DatasetName, net: &NetConfig, ext: &str) -> String {
    let kind = if net.kind == Kind::Vae { "vae" } else { "ae" };
    format!("weights/{}-{kind}.{ext}", dataset.id())
}

/// The shipped file at `url`: None when the server has none (404, or an HTML page a server sends
/// for any path it does not know).
async fn fetch_shipped(url: &str) -> Result<Option<Vec<u8>>, String> {
    Ok(fetch_optional(url).await?.filter(|b| !b.starts_with(b"<")))
}

/// The shipped pretrained network for `net` on `dataset`, restored on `device`, and its step. `Ok(None)`
/// when there is no file for exactly this shape (the models start untrained, silently); `Err` says
/// why a shipped file could not be used (the models start untrained too).
pub(crate) async fn pretrained(
    dataset: DatasetName,
    net: &NetConfig,
    device: &Device,
) -> Result<Option<(Net, u64)>, String> {
    let url = path(dataset, net, "lsxw");
    let damaged = |e: String| format!("the shipped weights {url} are damaged ({e}): starting untrained");
    let Some(bytes) = fetch_shipped(&url).await.map_err(|e| format!("{e}: starting untrained"))? else {
        return Ok(None);
    };
    let (header, params) = weights::from_file(&bytes).map_err(|e| damaged(e.to_string()))?;
    if header.net != *net || header.dataset != dataset {
        return Ok(None);
    }
    let restored = weights::restore(net, &params, device).map_err(|e| damaged(e.to_string()))?;
    Ok(Some((restored, header.step)))
}

/// The map shipped with the pretrained weights for `net` on `dataset` (f32 LE codes; empty when there
/// is none), or why it cannot be used.
pub(crate) async fn map(dataset: DatasetName, net: &NetConfig) -> Result<Vec<f32>, String> {
    let url = path(dataset, net, "map");
    let bytes = fetch_shipped(&url).await?.unwrap_or_default();
    if !bytes.len().is_multiple_of(4) {
        return Err(format!(
            "the shipped map {url} is damaged ({} bytes): encoding the map instead",
            bytes.len()
        ));
    }
    Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}

/// The step the shipped weights for `net` on `dataset` were trained to, from the `.json` beside them
/// (None: no such file, or not one `make weights` wrote).
pub(crate) async fn step(dataset: DatasetName, net: &NetConfig) -> Option<u64> {
    let bytes = fetch_shipped(&path(dataset, net, "json")).await.ok()??;
    serde_json::from_slice::<serde_json::Value>(&bytes).ok()?["steps"].as_u64()
}

/// Says that the shipped map for `net` on `dataset` holds `len` numbers where the test set needs
/// `expected`.
pub(crate) fn map_misfit(dataset: DatasetName, net: &NetConfig, len: usize, expected: usize) -> String {
    let url = path(dataset, net, "map");
    format!("the shipped map {url} holds {len} numbers, not the {expected} this test set needs: ignored")
}
