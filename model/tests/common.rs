//! Shared helpers for the native integration tests: the real datasets shipped in `assets/data/`.

#![allow(dead_code)]

use model::{Dataset, DatasetName};

/// Path of a file under `assets/data/` (the crate's directory read at run time where Cargo sets it:
/// clones sharing one target directory may reuse a test built in another clone).
pub fn asset(rel: &str) -> std::path::PathBuf {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")), std::path::PathBuf::from);
    dir.join("../assets/data").join(rel)
}

/// Loads a split of a bundled dataset (`train` = true for the 60k split).
pub fn load(name: DatasetName, train: bool) -> Dataset {
    let [ti, tl, vi, vl] = name.files();
    let (i, l) = if train { (ti, tl) } else { (vi, vl) };
    let read = |f: &str| std::fs::read(asset(&format!("{}/{f}", name.id()))).expect("asset file present");
    Dataset::from_idx(&read(i), Some(&read(l))).expect("bundled data parses")
}
