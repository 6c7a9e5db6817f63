//! Models made elsewhere: an encoder and a decoder exported to ONNX from PyTorch or Keras, opened from
//! files and explored in place of the page's own models. The first one starts the ONNX view worker
//! (the runtime is fetched only then); the files are kept so a replacement view opens them again.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use super::{AppState, MapMode};
use crate::protocol::Parts;
use crate::protocol::view::ToView;

/// The largest model file read (checked before reading it).
const MAX_MB: f64 = 256.0;

/// An opened pair as the view takes it: a name, the encoder's length, encoder then decoder bytes, and
/// the scaling; and the files that came with it (images to map, or codes for a decoder alone).
#[derive(Clone)]
pub(super) struct OwnFiles {
    name: String,
    encoder: usize,
    bytes: Rc<Vec<u8>>,
    scaling: String,
    images: Rc<Vec<File>>,
    texts: Rc<Vec<File>>,
}

fn extension(f: &File) -> String {
    f.name().rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// Which of `files` is the encoder and which the decoder (by their names), or why that is unclear.
fn roles(files: &[File]) -> Result<(Option<File>, File), String> {
    let says = |f: &File, word: &str| f.name().to_lowercase().contains(word);
    match files {
        [] => Err("Open an ONNX decoder, with its encoder (two .onnx files).".to_string()),
        [one] => Ok((None, one.clone())),
        [a, b] => match (says(a, "dec"), says(b, "dec"), says(a, "enc"), says(b, "enc")) {
            (true, false, _, _) | (_, _, false, true) => Ok((Some(b.clone()), a.clone())),
            (false, true, _, _) | (_, _, true, false) => Ok((Some(a.clone()), b.clone())),
            _ => Err(format!(
                "Which of {} and {} is the encoder? Put “encoder” and “decoder” in their names.",
                a.name(),
                b.name()
            )),
        },
        _ => Err(format!("Open two ONNX files, an encoder and a decoder ({} were chosen).", files.len())),
    }
}

async fn read(file: &File) -> Result<Vec<u8>, String> {
    let mb = file.size() / 1_048_576.0;
    if mb > MAX_MB {
        return Err(format!("{} is {mb:.0} MB; models up to {MAX_MB:.0} MB are read", file.name()));
    }
    match JsFuture::from(file.array_buffer()).await {
        Ok(buf) => Ok(js_sys::Uint8Array::new(&buf).to_vec()),
        Err(_) => Err(format!("{} could not be read", file.name())),
    }
}

impl AppState {
    /// Opens ONNX `files` (an encoder and a decoder, told apart by name) with input `scaling`; the
    /// view worker checks them and says why one is refused, keeping the models shown. Image files
    /// chosen with them are mapped (at the model's size); a TSV or CSV of codes (and its metadata)
    /// is mapped for a decoder alone.
    pub fn open_onnx(self, files: Vec<File>, scaling: String) {
        let (models, rest): (Vec<File>, Vec<File>) = files.into_iter().partition(|f| extension(f) == "onnx");
        let (texts, images): (Vec<File>, Vec<File>) =
            rest.into_iter().partition(|f| ["tsv", "csv", "txt"].contains(&extension(f).as_str()));
        let (encoder, decoder) = match roles(&models) {
            Ok(r) => r,
            Err(msg) => return self.say(format!("{msg} Nothing was changed.")),
        };
        leptos::task::spawn_local(async move {
            let enc = match &encoder {
                Some(f) => read(f).await.map(Some),
                None => Ok(None),
            };
            let files = match (enc, read(&decoder).await) {
                (Ok(enc), Ok(dec)) => {
                    let mut name = enc.as_ref().map(|_| String::new()).unwrap_or_default();
                    if let Some(f) = &encoder {
                        name = format!("{} + ", f.name());
                    }
                    name.push_str(&decoder.name());
                    let mut bytes = enc.unwrap_or_default();
                    let encoder = bytes.len();
                    bytes.extend_from_slice(&dec);
                    let (images, texts) = (Rc::new(images), Rc::new(texts));
                    OwnFiles { name, encoder, bytes: Rc::new(bytes), scaling, images, texts }
                }
                (Err(e), _) | (_, Err(e)) => return self.say(format!("{e}. Nothing was changed.")),
            };
            self.say(format!("Opening {}…", files.name));
            self.send_own(files);
        });
    }

    /// Starts the ONNX view worker if this one is not (telling it the page's state anew), then sends
    /// it the files. The models shown stay until the view has opened them.
    fn send_own(self, files: OwnFiles) {
        let fresh = self.pool_mut(|p| !std::mem::replace(&mut p.onnx_view, true));
        if fresh {
            self.stop_view();
            self.spawn_view();
            self.resend_view_state();
        }
        self.post_own(files);
    }

    fn post_own(&self, f: OwnFiles) {
        let msg = ToView::Open { name: f.name.clone(), encoder: f.encoder, scaling: f.scaling.clone() };
        self.post_view(&msg, Parts::bytes(&f.bytes));
        self.pool_mut(|p| p.own_pending = Some(f));
    }

    /// The shown model's files opened again with another input scaling (its map and reconstructions
    /// show at once whether the model takes pixels that way).
    pub fn rescale_own(self, scaling: String) {
        if let Some(mut f) = self.pool(|p| p.own.clone()) {
            f.scaling = scaling;
            self.say(format!("Opening {} with pixels as {}…", f.name, f.scaling));
            self.post_own(f);
        }
    }

    /// A replacement view opens the files again.
    pub(super) fn resend_own(&self) {
        if let Some(f) = self.pool(|p| p.own.clone()) {
            self.post_own(f);
        }
    }

    /// The view opened a model from files: one map shows it (a side-by-side page becomes a one-map
    /// page first, and the files are opened again), training pauses, what came from the page's own
    /// models is cleared. Unless it maps the test set, its own images (or codes) are sent next.
    pub(super) fn opened(self, name: String, summary: String, [w, h, c]: [usize; 3], mapped: bool) {
        let Some(files) = self.pool_mut(|p| p.own_pending.take()) else { return };
        if self.settings.mode.get_untracked().maps() != 1 {
            self.settings.mode.set(MapMode::Ae);
            self.restart();
            return self.post_own(files);
        }
        if self.training.running.get_untracked() {
            self.set_running(false);
        }
        crate::components::set_image_shape(w, h, c);
        self.maps.iter().for_each(|m| m.clear());
        let e = &self.explore;
        e.decoded.set(None);
        e.samples.set(None);
        e.interpolation.set(None);
        self.work.own_classes.set(None);
        self.pool_mut(|p| p.own = Some(files.clone()));
        self.work.own.set(Some(format!("{name}: {summary}")));
        let colour = if c == 3 { "colour" } else { "grey" };
        if mapped {
            return self.say(format!("Exploring {name}: {summary}."));
        }
        if files.images.is_empty() && files.texts.is_empty() {
            return self.say(format!(
                "Exploring {name}: {summary}. It takes {w}×{h} {colour} images: open them with it (files or a \
                 folder) to map them, or a TSV of codes for a decoder alone."
            ));
        }
        leptos::task::spawn_local(async move {
            let set = if files.images.is_empty() {
                let known = self.settings.dataset.get_untracked().class_names();
                match crate::own_data::codes_of(&files.texts, &known).await {
                    Ok(set) => set,
                    Err(e) => {
                        return self
                            .say(format!("Exploring {name}: {summary}. The codes were not read: {e}."));
                    }
                }
            } else {
                crate::own_data::images(&files.images, (w, h, c)).await
            };
            if set.count == 0 {
                let why = set.refused.join("; ");
                return self
                    .say(format!("Exploring {name}: {summary}. None of the images could be read: {why}."));
            }
            let classes =
                if set.classes.is_empty() { "unlabelled".to_string() } else { set.classes.join(", ") };
            let refused = match set.refused.len() {
                0 => String::new(),
                n => format!(" {n} refused: {}.", set.refused.join("; ")),
            };
            let count = set.count;
            self.work.own_classes.set(Some(set.classes.clone()).filter(|c| !c.is_empty()));
            if set.codes.is_empty() {
                let mut bytes = set.values;
                bytes.extend(&set.labels);
                self.post_view(&ToView::OwnImages { name: name.clone(), count }, Parts::bytes(&bytes));
                self.say(format!("Exploring {name}: {summary}. Mapping your {count} {w}×{h} {colour} images ({classes}).{refused}"));
            } else {
                let dim = set.codes.len() / count;
                let msg = ToView::OwnCodes { name: name.clone(), count, dim, labels: set.labels };
                self.post_view(&msg, Parts::data(&set.codes));
                self.say(format!(
                    "Exploring {name}: {summary}. Mapping {count} codes from the file ({classes})."
                ));
            }
        });
    }

    /// The page's own models are shown again (a new run).
    pub(super) fn close_own(&self) {
        self.pool_mut(|p| (p.own, p.own_pending) = (None, None));
        self.work.own.set(None);
        self.work.own_classes.set(None);
        crate::components::set_image_shape(28, 28, 1);
    }
}
