//! Autosave in IndexedDB (the `idb` crate): one record with the current model file, the settings (JSON)
//! and the loss history, so a reload can resume where training was. Each record names the tab that
//! wrote it and when (also in a small record of its own, which is what a save reads), so a tab can tell
//! that another one saved over it; a record whose model file does not pass its checks is reported as
//! damaged and ignored.

use idb::TransactionMode;
use idb::builder::{DatabaseBuilder, ObjectStoreBuilder};
use js_sys::{Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

const DB: &str = "latent-explorer";
const STORE: &str = "work";
const KEY: &str = "autosave";
/// Who wrote the record and when, kept apart from it: reading the record back (its model file is
/// megabytes) on every autosave only to learn this took 50-70 ms of the main thread on two busy cores.
const META: &str = "autosave-meta";

thread_local! {
    /// This tab: a random id and when it started (ms since the epoch).
    static TAB: (String, f64) = (format!("{:016x}", (js_sys::Math::random() * 2f64.powi(53)) as u64), js_sys::Date::now());
}

/// When this tab started (ms since the epoch).
pub fn tab_started() -> f64 {
    TAB.with(|t| t.1)
}

/// What is kept across reloads: `F` is the model file (see `model::weights`), a JavaScript array
/// when saved (as the trainer built it: the page never copies it) and bytes when loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved<F = Vec<u8>> {
    pub file: F,
    /// The controls' settings, as JSON.
    pub settings: String,
    /// (step, recon, kl) triples, flattened.
    pub history: Vec<f32>,
    pub step: u64,
}

/// A record that another tab wrote: its step and when (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Other {
    pub step: u64,
    pub saved_at: f64,
}

/// Why the autosave cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB is missing, blocked (a private window), full, or failed.
    #[error("the browser's storage is unavailable or full ({0})")]
    Unavailable(String),
    /// The record is there but unreadable.
    #[error("the saved work is damaged ({0})")]
    Damaged(String),
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

async fn open() -> Result<idb::Database, StoreError> {
    DatabaseBuilder::new(DB)
        .version(1)
        .add_object_store(ObjectStoreBuilder::new(STORE))
        .build()
        .await
        .map_err(unavailable)
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Replaces the saved record; returns the record it replaced when another tab wrote that one.
pub async fn save(s: &Saved<Uint8Array>) -> Result<Option<Other>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite).map_err(unavailable)?;
    let store = tx.object_store(STORE).map_err(unavailable)?;
    let before = store.get(JsValue::from_str(META)).map_err(unavailable)?.await.map_err(unavailable)?;
    let tab = TAB.with(|t| t.0.clone());
    let other = before.filter(|b| get(b, "tab").as_string().is_some_and(|t| t != tab)).map(|b| Other {
        step: get(&b, "step").as_f64().unwrap_or(0.0) as u64,
        saved_at: get(&b, "savedAt").as_f64().unwrap_or(0.0),
    });
    let (obj, meta) = (Object::new(), Object::new());
    let set = |o: &Object, k: &str, v: &JsValue| {
        Reflect::set(o, &k.into(), v).map(drop).map_err(|_| unavailable("could not build the record"))
    };
    for o in [&obj, &meta] {
        set(o, "step", &(s.step as f64).into())?;
        set(o, "tab", &tab.as_str().into())?;
        set(o, "savedAt", &js_sys::Date::now().into())?;
    }
    set(&obj, "file", &s.file)?;
    set(&obj, "settings", &s.settings.as_str().into())?;
    set(&obj, "history", &Float32Array::from(s.history.as_slice()))?;
    store.put(&obj, Some(&KEY.into())).map_err(unavailable)?.await.map_err(unavailable)?;
    store.put(&meta, Some(&META.into())).map_err(unavailable)?.await.map_err(unavailable)?;
    tx.commit().map_err(unavailable)?.await.map_err(unavailable)?;
    Ok(other)
}

/// The saved record, if any; a damaged one is an error (and is never resumed).
pub async fn load() -> Result<Option<Saved>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadOnly).map_err(unavailable)?;
    let store = tx.object_store(STORE).map_err(unavailable)?;
    let Some(v) = store.get(JsValue::from_str(KEY)).map_err(unavailable)?.await.map_err(unavailable)? else {
        return Ok(None);
    };
    let damaged = |what: &str| StoreError::Damaged(what.to_string());
    let file =
        get(&v, "file").dyn_into::<Uint8Array>().map_err(|_| damaged("no model in the record"))?.to_vec();
    model::weights::from_file(&file).map_err(|e| StoreError::Damaged(e.to_string()))?;
    let history = get(&v, "history").dyn_into::<Float32Array>().map(|h| h.to_vec()).unwrap_or_default();
    let settings = get(&v, "settings").as_string().unwrap_or_default();
    let step = get(&v, "step").as_f64().ok_or_else(|| damaged("no step in the record"))? as u64;
    Ok(Some(Saved { file, settings, history, step }))
}
