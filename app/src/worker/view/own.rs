//! A model opened from ONNX files (an encoder and a decoder exported from PyTorch or Keras), explored
//! in place of the run's models until the page's next setup. Only the ONNX view worker (app feature
//! `onnx`, fetched when a model is first opened) carries the runtime; the plain one says so.

use super::View;

/// How a model takes the explorer's pixels (0..1), from the protocol's words.
#[cfg(feature = "onnx")]
fn scaling(s: &str) -> Result<model::onnx::Scaling, String> {
    use model::onnx::Scaling;
    match s {
        "0-1" => Ok(Scaling::Unit),
        "-1-1" => Ok(Scaling::Signed),
        other => {
            let parse = |v: &str| v.trim().parse::<f32>().ok().filter(|v| v.is_finite());
            match other.split_once('/').map(|(m, s)| (parse(m), parse(s))) {
                Some((Some(mean), Some(std))) if std > 0.0 => Ok(Scaling::Standard { mean, std }),
                _ => Err(format!("the scaling {other:?} is not 0-1, -1-1 or mean/std (say 0.5/0.25)")),
            }
        }
    }
}

impl View {
    /// Opens `bytes` (the encoder's first `encoder` bytes, then the decoder's) as the only model;
    /// anything wrong is reported and the models shown before are kept.
    #[cfg(feature = "onnx")]
    pub(super) fn open(&mut self, name: &str, mut bytes: Vec<u8>, encoder: usize, how: &str) {
        use super::model_copy::{Coder, ModelCopy};
        use crate::protocol::Parts;
        use crate::protocol::view::FromView;
        use model::data::{PIXELS, SIDE};
        use model::onnx::{Pair, Shape};

        if encoder > bytes.len() {
            return self.out.error(format!("{name}: the files did not arrive whole"));
        }
        let decoder = bytes.split_off(encoder);
        let scaling = match scaling(how) {
            Ok(s) => s,
            Err(e) => return self.out.error(format!("{name}: {e}")),
        };
        let encoder = Some(bytes.as_slice()).filter(|b| !b.is_empty());
        let pair = match Pair::load(encoder, &decoder, scaling).and_then(|p| p.trial().map(|()| p)) {
            Ok(p) => p,
            Err(e) => {
                return self.out.error(format!("{name} was not opened: {e}. The models shown are kept."));
            }
        };
        let info = &pair.info;
        let Shape { h, w, c } = info.image;
        // The test set is mapped when the model takes its images; else its own images (or, for a
        // decoder alone, its codes) come from the page next.
        let takes_test = info.image == Shape { h: SIDE, w: SIDE, c: 1 };
        let mapped = info.encoder && takes_test && self.test.as_ref().is_some_and(|t| t.row() == PIXELS);
        let summary = format!(
            "{} {c}×{h}×{w} images → {}-number codes{}{}",
            info.layout.name(),
            info.latent,
            if info.log_var { " (μ and log σ²: a VAE)" } else { "" },
            if info.encoder { "" } else { ", a decoder alone" },
        );
        let (latent, log_var, encoder) = (info.latent, info.log_var, info.encoder);
        (self.own, self.decoder_only) = (true, !encoder);
        self.models = vec![Some(ModelCopy::new(Coder::Onnx(Box::new(pair)), 0, Vec::new()))];
        self.extra.plain = Vec::new();
        self.remap();
        if let (false, Some(Some(m))) = (mapped, self.models.first_mut()) {
            m.hold();
        }
        self.sched.pending.interp = None;
        self.sched.pending.sample = None;
        if let Some(r) = self.sched.pending.lecture.as_mut() {
            r.changed = true;
        }
        let opened = FromView::Opened {
            name: name.to_string(),
            summary,
            latent,
            log_var,
            shape: [w, h, c],
            encoder,
            mapped,
        };
        self.out.send(&opened, &Parts::default());
    }

    /// The opened model's own images (`count`, then their labels, in `bytes`) replace the test set
    /// on its map; the page's next setup loads the test set again.
    #[cfg(feature = "onnx")]
    pub(super) fn own_images(&mut self, name: &str, bytes: Vec<u8>, count: usize) {
        let Some(row) = self.own_model().map(super::model_copy::ModelCopy::image_len) else {
            return self.out.error(format!("{name}: no opened model to map them with"));
        };
        match super::user_images(bytes, count, row) {
            Ok(data) => self.own_data(data, None),
            Err(e) => self.out.error(format!("{name}: {e}")),
        }
    }

    /// Codes from a file for a decoder alone: its map's points (2-D codes only), labelled.
    #[cfg(feature = "onnx")]
    pub(super) fn own_codes(
        &mut self,
        name: &str,
        codes: Vec<f32>,
        (count, dim): (usize, usize),
        labels: Vec<u8>,
    ) {
        let Some((row, latent)) = self.own_model().map(|m| (m.image_len(), m.dim())) else {
            return self.out.error(format!("{name}: no opened decoder to decode them with"));
        };
        if dim != latent {
            return self.out.error(format!(
                "{name} holds codes of {dim} numbers, but the decoder takes {latent}. The map is kept."
            ));
        }
        if dim != 2 {
            return self.out.error(format!(
                "{name}: codes of {dim} numbers are mapped through the encoder here so far (open it with \
                 the decoder); codes of 2 numbers map directly."
            ));
        }
        if codes.len() != count * dim || labels.len() != count {
            return self.out.error(format!("{name}: the codes did not arrive whole"));
        }
        // The map's points have no images: blank ones stand in (nothing shows or encodes them).
        match model::Dataset::from_rows(vec![0; count * row], labels, row) {
            Ok(data) => self.own_data(data, Some(codes)),
            Err(e) => self.out.error(format!("{name}: {e}")),
        }
    }

    /// A click's test image can be shown beside its decode: the models shown take the map's images.
    pub(super) fn points_fit(&self) -> bool {
        #[cfg(feature = "onnx")]
        if self.own {
            let row = self.test.as_ref().map(model::Dataset::row);
            return !self.decoder_only && self.own_model().map(|m| m.image_len()) == row;
        }
        !self.decoder_only
    }

    #[cfg(feature = "onnx")]
    fn own_model(&self) -> Option<&super::model_copy::ModelCopy> {
        self.models.first().and_then(Option::as_ref).filter(|_| self.own)
    }

    /// `data` is the map's set from now on: encoded by the model, or with `codes` given.
    #[cfg(feature = "onnx")]
    fn own_data(&mut self, data: model::Dataset, codes: Option<Vec<f32>>) {
        use crate::protocol::Parts;
        use crate::protocol::view::{FromView, MapInfo};
        let labels = &data.labels()[..super::MAP_POINTS.min(data.len())];
        let dataset = self.dataset.unwrap_or(model::DatasetName::Mnist);
        self.out.send(&FromView::DataLoaded { dataset, test: data.len() }, &Parts::bytes(labels));
        self.remap();
        if let Some(Some(m)) = self.models.first_mut() {
            match codes {
                Some(codes) => {
                    m.codes = codes;
                    m.encoded = Some(m.step);
                    let msg = FromView::Latents {
                        model: 0,
                        step: m.step,
                        info: MapInfo::default(),
                        errors: false,
                        uploads: 0,
                    };
                    self.out.send(&msg, &Parts::data(&m.codes));
                }
                None => m.release(),
            }
        }
        // The page's next setup loads its test set again.
        (self.test, self.dataset, self.uploads) = (Some(data), None, None);
    }

    /// The plain view worker has no ONNX runtime.
    #[cfg(not(feature = "onnx"))]
    pub(super) fn open(&mut self, name: &str, _bytes: Vec<u8>, _encoder: usize, _how: &str) {
        self.out.error(format!("{name}: this view worker was built without the ONNX runtime"));
    }

    #[cfg(not(feature = "onnx"))]
    pub(super) fn own_images(&mut self, name: &str, _bytes: Vec<u8>, _count: usize) {
        self.out.error(format!("{name}: no opened model to map them with"));
    }

    #[cfg(not(feature = "onnx"))]
    pub(super) fn own_codes(&mut self, name: &str, _: Vec<f32>, _: (usize, usize), _: Vec<u8>) {
        self.out.error(format!("{name}: no opened decoder to decode them with"));
    }
}
