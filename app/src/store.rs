//! Autosave in IndexedDB (the `idb` crate): one record with the current model file, the settings (JSON)
//! and the loss history, so a reload can resume where training was.

use idb::TransactionMode;
use idb::builder::{DatabaseBuilder, ObjectStoreBuilder};
use js_sys::{Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

const DB: &str = "latent-explorer";
const STORE: &str = "work";
const KEY: &str = "autosave";

/// What is kept across reloads.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// A model file (see `model::weights`).
    pub file: Vec<u8>,
    /// The controls' settings, as JSON.
    pub settings: String,
    /// (step, recon, kl) triples, flattened.
    pub history: Vec<f32>,
    pub step: u64,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("autosave: {e}")
}

async fn open() -> Result<idb::Database, String> {
    DatabaseBuilder::new(DB)
        .version(1)
        .add_object_store(ObjectStoreBuilder::new(STORE))
        .build()
        .await
        .map_err(err)
}

/// Replaces the saved record.
pub async fn save(s: &Saved) -> Result<(), String> {
    let db = open().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadWrite).map_err(err)?;
    let store = tx.object_store(STORE).map_err(err)?;
    let obj = Object::new();
    let set = |k: &str, v: &JsValue| {
        Reflect::set(&obj, &k.into(), v).map_err(|_| err("could not build the record"))
    };
    set("file", &Uint8Array::from(s.file.as_slice()))?;
    set("settings", &s.settings.as_str().into())?;
    set("history", &Float32Array::from(s.history.as_slice()))?;
    set("step", &(s.step as f64).into())?;
    store.put(&obj, Some(&KEY.into())).map_err(err)?.await.map_err(err)?;
    tx.commit().map_err(err)?.await.map_err(err)?;
    Ok(())
}

/// The saved record, if any.
pub async fn load() -> Result<Option<Saved>, String> {
    let db = open().await?;
    let tx = db.transaction(&[STORE], TransactionMode::ReadOnly).map_err(err)?;
    let store = tx.object_store(STORE).map_err(err)?;
    let Some(v) = store.get(JsValue::from_str(KEY)).map_err(err)?.await.map_err(err)? else {
        return Ok(None);
    };
    let get = |k: &str| Reflect::get(&v, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let file = get("file").dyn_into::<Uint8Array>().map_err(|_| err("no model in the record"))?.to_vec();
    let history = get("history").dyn_into::<Float32Array>().map(|h| h.to_vec()).unwrap_or_default();
    let settings = get("settings").as_string().unwrap_or_default();
    let step = get("step").as_f64().unwrap_or(0.0) as u64;
    Ok(Some(Saved { file, settings, history, step }))
}
