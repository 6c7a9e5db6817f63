//! Models made elsewhere: an ONNX encoder (images → codes, or μ and log σ²) and decoder (codes →
//! images), exported from PyTorch or Keras, run through tract. Images here are the explorer's: rows of
//! `h × w × c` values in 0..1 (channels interleaved, as a canvas holds them); each model's own layout
//! (NCHW or NHWC, or flat) and input scaling are applied on the way in and undone on the way out.

use std::io::Cursor;

use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::DimLike;

mod image;

pub use image::{ImageIo, Layout, Scaling, Shape};

/// The largest model file read (bytes): bigger ones are refused before parsing.
pub const MAX_FILE: usize = 256 << 20;
/// Images (or codes) per run.
const CHUNK: usize = 250;

/// Why a model cannot be used. Each says what to change.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OnnxError {
    #[error("the file is {mb} MB; models up to {} MB are read", MAX_FILE >> 20)]
    TooLarge { mb: usize },
    #[error("not an ONNX model this explorer can read ({0})")]
    Unreadable(String),
    #[error("it uses the operator {0}, which the ONNX runtime here (tract) does not support")]
    MissingOp(String),
    #[error("{0}")]
    Shape(String),
    #[error("the encoder gives {encoder}-number codes but the decoder takes {decoder}")]
    Mismatch { encoder: usize, decoder: usize },
    #[error("the decoder's output is not an image ({0})")]
    NotImage(String),
    #[error("the {0} gave NaN or infinite values")]
    NotFinite(&'static str),
    #[error("running the {what} failed: {why}")]
    Run { what: &'static str, why: String },
}

/// One network, optimised and ready to run.
struct Graph {
    plan: Arc<TypedRunnableModel>,
    /// The batch the model was exported with, when it is fixed (runs are padded to it).
    batch: Option<usize>,
}

impl Graph {
    fn load(bytes: &[u8], what: &'static str) -> Result<(Self, TypedModel), OnnxError> {
        if bytes.len() > MAX_FILE {
            return Err(OnnxError::TooLarge { mb: bytes.len() >> 20 });
        }
        let inference = tract_onnx::onnx()
            .model_for_read(&mut Cursor::new(bytes))
            .map_err(|e| OnnxError::Unreadable(format!("{what}: {}", root_cause(&e))))?;
        if inference.inputs.len() != 1 {
            return Err(OnnxError::Shape(format!(
                "the {what} takes {} inputs; one ({}) is expected",
                inference.inputs.len(),
                if what == "encoder" { "the images" } else { "the codes" }
            )));
        }
        let typed = inference.into_typed().map_err(|e| classify(&e, what))?;
        let optimised = typed.clone().into_optimized().map_err(|e| classify(&e, what))?;
        let batch = dims_of(&optimised, true, 0)?.first().copied().flatten();
        let plan = optimised.into_runnable().map_err(|e| classify(&e, what))?;
        Ok((Self { plan, batch }, typed))
    }

    /// The first output's dims for one zero code of `d` numbers.
    fn probe(&self, d: usize) -> Result<Vec<Option<usize>>, OnnxError> {
        let rows = self.batch.unwrap_or(1);
        let fail = |e: TractError| OnnxError::Run { what: "decoder", why: root_cause(&e) };
        let tensor = Tensor::from_shape(&[rows, d], &vec![0f32; rows * d]).map_err(fail)?;
        let result = self.plan.run(tvec!(tensor.into())).map_err(fail)?;
        let first = result.first().ok_or(OnnxError::NotImage("it has no output".into()))?;
        Ok(first.shape().iter().map(|&x| Some(x)).collect())
    }

    /// Runs `n` rows of `row` values (model order) through the network, in chunks; returns each
    /// output's values for all rows.
    fn run(
        &self,
        data: &[f32],
        n: usize,
        dims: impl Fn(usize) -> Vec<usize>,
        what: &'static str,
    ) -> Result<Vec<Vec<f32>>, OnnxError> {
        let row = data.len() / n.max(1);
        let chunk = self.batch.unwrap_or(CHUNK).max(1);
        let fail = |e: TractError| OnnxError::Run { what, why: root_cause(&e) };
        let mut outs: Vec<Vec<f32>> = Vec::new();
        for start in (0..n).step_by(chunk) {
            let k = chunk.min(n - start);
            let rows = self.batch.unwrap_or(k);
            let mut input = data[start * row..(start + k) * row].to_vec();
            input.resize(rows * row, 0.0);
            let tensor = Tensor::from_shape(&dims(rows), &input).map_err(fail)?;
            let result = self.plan.run(tvec!(tensor.into())).map_err(fail)?;
            outs.resize_with(result.len(), Vec::new);
            for (out, value) in outs.iter_mut().zip(result.iter()) {
                let value = value.cast_to::<f32>().map_err(fail)?;
                let values = value.to_plain_array_view::<f32>().map_err(fail)?;
                let per_row = values.len() / rows.max(1);
                out.extend(values.iter().take(k * per_row).copied());
            }
        }
        for out in &outs {
            if out.iter().any(|v| !v.is_finite()) {
                return Err(OnnxError::NotFinite(what));
            }
        }
        Ok(outs)
    }
}

/// The last error of tract's chain (the most specific).
fn root_cause(e: &TractError) -> String {
    e.chain().last().map(ToString::to_string).unwrap_or_else(|| e.to_string())
}

/// A load error: an operator tract lacks is named; the rest are reported as they come.
fn classify(e: &TractError, what: &'static str) -> OnnxError {
    let text = format!("{e:#}");
    if let Some(at) = text.find("Unimplemented(") {
        let op: String = text[at + 14..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        return OnnxError::MissingOp(op);
    }
    OnnxError::Shape(format!("the {what} could not be prepared: {}", root_cause(e)))
}

/// An input's (or output's) dims, `None` where not fixed.
fn dims_of(model: &TypedModel, input: bool, ix: usize) -> Result<Vec<Option<usize>>, OnnxError> {
    let fact = if input { model.input_fact(ix) } else { model.output_fact(ix) };
    let fact = fact.map_err(|e| OnnxError::Shape(root_cause(&e)))?;
    Ok(fact.shape.iter().map(|d| d.to_usize().ok()).collect())
}

/// An output's name (its ONNX name).
fn output_name(model: &TypedModel, ix: usize) -> String {
    model
        .output_outlets()
        .ok()
        .and_then(|o| o.get(ix).copied())
        .and_then(|o| model.outlet_label(o))
        .unwrap_or("")
        .to_string()
}

/// What was read from a pair (for the page to say).
#[derive(Clone, Debug, PartialEq)]
pub struct Info {
    pub image: Shape,
    /// The encoder's layout (the decoder's when there is no encoder).
    pub layout: Layout,
    pub latent: usize,
    /// The encoder gives log σ² beside μ (a VAE).
    pub log_var: bool,
    pub encoder: bool,
    /// Which encoder outputs are μ and log σ², by name.
    pub outputs: Vec<String>,
}

/// An encoder (optional: a decoder-only model takes its codes from a file or the prior) and a decoder.
pub struct Pair {
    encoder: Option<(Graph, ImageIo, usize, Option<usize>)>,
    decoder: (Graph, ImageIo),
    pub info: Info,
    pub scaling: Scaling,
}

/// The index of the output named like one of `names` (case-insensitive, ignoring `_`).
fn named(outputs: &[String], names: &[&str]) -> Option<usize> {
    let plain = |s: &str| s.to_ascii_lowercase().replace(['_', '-', ' '], "");
    outputs.iter().position(|o| names.iter().any(|n| plain(o).contains(n)))
}

impl Pair {
    /// Reads and checks a pair: the encoder's codes must be what the decoder takes, and the
    /// decoder must give images of the encoder's size.
    pub fn load(encoder: Option<&[u8]>, decoder: &[u8], scaling: Scaling) -> Result<Self, OnnxError> {
        let (dec, dec_model) = Graph::load(decoder, "decoder")?;
        let dec_in = dims_of(&dec_model, true, 0)?;
        let decoder_latent = match dec_in[..] {
            [_, Some(d)] if d > 0 => d,
            _ => {
                return Err(OnnxError::Shape(format!(
                    "the decoder should take codes [N, D]; its input is {dec_in:?}"
                )));
            }
        };
        let mut out = dims_of(&dec_model, false, 0)?;
        if out.iter().skip(1).any(Option::is_none) {
            // Exporters often leave the output's size symbolic: one run of a zero code tells it.
            out = dec.probe(decoder_latent)?;
        }
        let mut dec_io = ImageIo::detect(&out, "decoder").map_err(|e| OnnxError::NotImage(e.to_string()))?;
        let mut info = Info {
            image: dec_io.shape,
            layout: dec_io.layout,
            latent: decoder_latent,
            log_var: false,
            encoder: false,
            outputs: Vec::new(),
        };
        let encoder = match encoder {
            None => None,
            Some(bytes) => {
                let (enc, enc_model) = Graph::load(bytes, "encoder")?;
                let io = ImageIo::detect(&dims_of(&enc_model, true, 0)?, "encoder")?;
                let outputs: Vec<String> = (0..enc_model.output_outlets().map_or(0, <[_]>::len))
                    .map(|i| output_name(&enc_model, i))
                    .collect();
                let mu =
                    if outputs.len() == 1 { 0 } else { named(&outputs, &["mu", "mean", "loc"]).unwrap_or(0) };
                let log_var = (outputs.len() > 1)
                    .then(|| named(&outputs, &["logvar", "logsigma", "logvariance", "var"]).unwrap_or(1))
                    .filter(|&i| i != mu);
                let code = dims_of(&enc_model, false, mu)?;
                let latent = match code[..] {
                    [_, Some(d)] => d,
                    _ => {
                        return Err(OnnxError::Shape(format!(
                            "the encoder's codes should be [N, D]; they are {code:?}"
                        )));
                    }
                };
                if latent != decoder_latent {
                    return Err(OnnxError::Mismatch { encoder: latent, decoder: decoder_latent });
                }
                if io.shape != dec_io.shape {
                    // A flat decoder output of the right size takes the encoder's shape.
                    if dec_io.layout == Layout::Flat && dec_io.shape.len() == io.shape.len() {
                        dec_io.shape = io.shape;
                    } else {
                        return Err(OnnxError::NotImage(format!(
                            "it gives {}×{}×{} images but the encoder takes {}×{}×{}",
                            dec_io.shape.h,
                            dec_io.shape.w,
                            dec_io.shape.c,
                            io.shape.h,
                            io.shape.w,
                            io.shape.c
                        )));
                    }
                }
                info = Info {
                    image: io.shape,
                    layout: io.layout,
                    latent,
                    log_var: log_var.is_some(),
                    encoder: true,
                    outputs,
                };
                Some((enc, io, mu, log_var))
            }
        };
        Ok(Self { encoder, decoder: (dec, dec_io), info, scaling })
    }

    /// Codes (μ for a VAE), and log σ² when the encoder gives it, of `n` images (explorer rows).
    pub fn encode(&self, images: &[f32]) -> Result<(Vec<f32>, Option<Vec<f32>>), OnnxError> {
        let Some((graph, io, mu, log_var)) = &self.encoder else {
            return Err(OnnxError::Shape("this model has no encoder: its codes come from a file".into()));
        };
        let n = images.len() / io.shape.len().max(1);
        let outs = graph.run(&io.to_model(images, self.scaling), n, |k| io.dims(k), "encoder")?;
        let pick =
            |i: usize| outs.get(i).cloned().ok_or(OnnxError::Shape(format!("the encoder has no output {i}")));
        let codes = pick(*mu)?;
        let log_var = log_var.map(pick).transpose()?;
        Ok((codes, log_var))
    }

    /// Images (explorer rows, 0..1) of `codes` (`[n × latent]`).
    pub fn decode(&self, codes: &[f32]) -> Result<Vec<f32>, OnnxError> {
        let d = self.info.latent;
        let n = codes.len() / d;
        let (graph, io) = &self.decoder;
        let outs = graph.run(codes, n, |k| vec![k, d], "decoder")?;
        let images = outs.into_iter().next().ok_or(OnnxError::NotImage("it has no output".into()))?;
        if images.len() != n * io.shape.len() {
            return Err(OnnxError::NotImage(format!("{} values for {n} codes", images.len())));
        }
        Ok(io.to_explorer(&images, self.scaling))
    }

    /// One trial run, as the explorer will run the pair: a mid-grey image through the encoder (when
    /// there is one) and its code, a zero code and a code of halves through the decoder. A model that
    /// loads but cannot run, or gives NaN, is refused by this before it is shown.
    pub fn trial(&self) -> Result<(), OnnxError> {
        let d = self.info.latent;
        let mut codes = vec![0.0; d];
        codes.extend(vec![0.5; d]);
        if self.encoder.is_some() {
            codes.extend(self.encode(&vec![0.5; self.info.image.len()])?.0);
        }
        self.decode(&codes).map(drop)
    }

    /// Reconstructions of images (explorer rows).
    pub fn reconstruct(&self, images: &[f32]) -> Result<Vec<f32>, OnnxError> {
        self.decode(&self.encode(images)?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_oversized_files_are_refused_with_a_reason() {
        assert!(matches!(Pair::load(None, b"not a model", Scaling::Unit), Err(OnnxError::Unreadable(_))));
        let big = vec![0u8; MAX_FILE + 1];
        assert_eq!(Pair::load(None, &big, Scaling::Unit).err(), Some(OnnxError::TooLarge { mb: 256 }));
    }
}
