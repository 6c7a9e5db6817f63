//! Weights as bytes: a flat f32 snapshot of every parameter (async, so it works on WebGPU in the
//! browser too), and a versioned file format — header + config + weights — for save / load / download.
//!
//! File layout: `b"LSXW"`, u32 LE format version, u32 LE header length, the JSON header
//! ([`FileHeader`]: net and train config, dataset, step, precision), then the parameters as f32 or
//! f16 LE in the order burn's module visitor walks them (f16 halves shipped files; see `make weights`),
//! then (version 2) the CRC-32 of everything before it, u32 LE, so a damaged file is refused rather
//! than loaded as a damaged model. Version 1 files (no checksum) still load.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use crate::data::DatasetName;
use crate::metrics::ReadError;
use crate::nets::{Net, NetConfig};
use crate::train::TrainConfig;

const MAGIC: &[u8; 4] = b"LSXW";
/// Version of the file layout written; 1 (without the checksum) is still read, others are refused.
pub const FORMAT_VERSION: u32 = 2;
/// The layout before the checksum.
const UNCHECKED_VERSION: u32 = 1;

/// Why bytes are not a weights file for this app.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightsError {
    #[error("not a latent-explorer model file (bad magic)")]
    BadMagic,
    #[error("model file format version {found}, this app reads versions 1 and {FORMAT_VERSION}")]
    Version { found: u32 },
    #[error("the file is damaged: its checksum does not match its contents")]
    Damaged,
    #[error("the model file is truncated or corrupt: {0}")]
    Corrupt(String),
    #[error("the weights hold {found} numbers but a {what} network needs {expected}")]
    Mismatch { found: usize, expected: usize, what: String },
}

/// What a weights file says about the model it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileHeader {
    pub net: NetConfig,
    pub train: TrainConfig,
    pub dataset: DatasetName,
    pub step: u64,
    /// How the parameters are stored (files without the field are f32).
    #[serde(default)]
    pub precision: Precision,
}

/// Storage precision of the parameters in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F32,
    F16,
}

impl Precision {
    fn bytes(self) -> usize {
        match self {
            Precision::F32 => 4,
            Precision::F16 => 2,
        }
    }
}

/// Collects every float parameter, flattened, in visiting order.
struct Collect(Vec<Tensor<1>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = param.val();
        let n = t.shape().num_elements();
        self.0.push(t.reshape([n]));
    }
}

/// Replaces every float parameter, in visiting order, with the next slice of `data`.
struct Assign<'a> {
    data: &'a [f32],
    pos: usize,
    device: Device,
}

impl ModuleMapper for Assign<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let shape = param.lazy_shape();
        let n = shape.num_elements();
        let slice = self.data.get(self.pos..self.pos + n).unwrap_or(&[]).to_vec();
        self.pos += n;
        let id = param.id;
        // `transform_for_load` keeps the parameter's autodiff setting, so a restored net can train.
        param.transform_for_load(Tensor::from_data(TensorData::new(slice, shape), &self.device), id)
    }
}

/// All parameters of `net` as one flat f32 vector (one device read).
pub async fn snapshot(net: &Net) -> Result<Vec<f32>, ReadError> {
    let mut c = Collect(Vec::new());
    net.visit(&mut c);
    if c.0.is_empty() {
        return Ok(Vec::new());
    }
    crate::metrics::to_vec(Tensor::cat(c.0, 0)).await
}

/// A network of shape `cfg` on `device` holding the parameters `data` (from [`snapshot`]).
pub fn restore(cfg: &NetConfig, data: &[f32], device: &Device) -> Result<Net, WeightsError> {
    fill(cfg.init(device), cfg, data, device)
}

/// `net` (of shape `cfg`) holding the parameters `data`.
fn fill(net: Net, cfg: &NetConfig, data: &[f32], device: &Device) -> Result<Net, WeightsError> {
    let expected = net.num_params();
    if data.len() != expected {
        let what = format!("{:?} {:?} {:?}-{}", cfg.kind, cfg.arch, cfg.hidden, cfg.latent);
        return Err(WeightsError::Mismatch { found: data.len(), expected, what });
    }
    Ok(net.map(&mut Assign { data, pos: 0, device: device.clone() }))
}

/// Networks of shapes `cfgs` holding `data`: their parameters one after the other (several models'
/// snapshots in one array).
pub fn restore_all(cfgs: &[NetConfig], data: &[f32], device: &Device) -> Result<Vec<Net>, WeightsError> {
    let mut rest = data;
    let nets = cfgs
        .iter()
        .map(|cfg| {
            let net = cfg.init(device);
            let (mine, others) = rest.split_at(net.num_params().min(rest.len()));
            rest = others;
            fill(net, cfg, mine, device)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !rest.is_empty() {
        let expected = data.len() - rest.len();
        return Err(WeightsError::Mismatch {
            found: data.len(),
            expected,
            what: format!("set of {}", cfgs.len()),
        });
    }
    Ok(nets)
}

/// Encodes a model file.
pub fn to_file(header: &FileHeader, params: &[f32]) -> Vec<u8> {
    let json = serde_json::to_vec(header).unwrap_or_default();
    let mut out = Vec::with_capacity(16 + json.len() + 4 * params.len());
    out.extend_from_slice(MAGIC);
    out.extend(FORMAT_VERSION.to_le_bytes());
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(&json);
    match header.precision {
        Precision::F32 => params.iter().for_each(|p| out.extend(p.to_le_bytes())),
        Precision::F16 => params.iter().for_each(|p| out.extend(half::f16::from_f32(*p).to_le_bytes())),
    }
    let crc = crc32fast::hash(&out);
    out.extend(crc.to_le_bytes());
    out
}

/// Decodes a model file into its header and parameters; checks magic, version, checksum and lengths.
pub fn from_file(bytes: &[u8]) -> Result<(FileHeader, Vec<f32>), WeightsError> {
    if bytes.get(..4) != Some(MAGIC.as_slice()) {
        return Err(WeightsError::BadMagic);
    }
    let word = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let version = word(4).ok_or_else(|| WeightsError::Corrupt("no version".into()))?;
    let bytes = match version {
        FORMAT_VERSION => {
            let (body, crc) = bytes.split_at_checked(bytes.len().saturating_sub(4)).unwrap_or((bytes, &[]));
            let crc = <[u8; 4]>::try_from(crc).map_err(|_| WeightsError::Corrupt("no checksum".into()))?;
            if body.len() < 12 || crc32fast::hash(body) != u32::from_le_bytes(crc) {
                return Err(WeightsError::Damaged);
            }
            body
        }
        UNCHECKED_VERSION => bytes,
        found => return Err(WeightsError::Version { found }),
    };
    let len = word(8).ok_or_else(|| WeightsError::Corrupt("no header length".into()))? as usize;
    let json = bytes
        .get(12..12usize.saturating_add(len))
        .ok_or_else(|| WeightsError::Corrupt("short header".into()))?;
    let header: FileHeader =
        serde_json::from_slice(json).map_err(|e| WeightsError::Corrupt(e.to_string()))?;
    let body = &bytes[12 + len..];
    let width = header.precision.bytes();
    if !body.len().is_multiple_of(width) {
        return Err(WeightsError::Corrupt(format!("{} stray bytes after the weights", body.len() % width)));
    }
    let params: Vec<f32> = match header.precision {
        Precision::F32 => {
            body.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
        }
        Precision::F16 => {
            body.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect()
        }
    };
    if params.iter().any(|p| !p.is_finite()) {
        return Err(WeightsError::Corrupt("the weights contain NaN or infinity".into()));
    }
    Ok((header, params))
}

// Native only: pollster (blocking on a future) is not built for wasm32.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::nets::Kind;

    #[test]
    fn snapshot_restore_round_trip_and_bad_files() {
        let device = Device::flex();
        let cfg = NetConfig { kind: Kind::Vae, hidden: vec![16], ..NetConfig::default() };
        let net = cfg.init(&device);
        let params = pollster::block_on(snapshot(&net)).expect("read");
        assert_eq!(params.len(), net.num_params());
        let header = FileHeader {
            net: cfg.clone(),
            train: TrainConfig::default(),
            dataset: DatasetName::Mnist,
            step: 7,
            precision: Precision::F32,
        };
        let file = to_file(&header, &params);
        let (h, p) = from_file(&file).expect("round trip");
        assert_eq!((h, &p), (header.clone(), &params));
        let back = restore(&cfg, &p, &device).expect("restores");
        assert_eq!(pollster::block_on(snapshot(&back)), Ok(params.clone()));

        assert_eq!(from_file(b"PK\x03\x04 a zip"), Err(WeightsError::BadMagic));
        let mut v2 = file.clone();
        v2[4] = 9;
        assert_eq!(from_file(&v2), Err(WeightsError::Version { found: 9 }));
        assert_eq!(from_file(&file[..20]), Err(WeightsError::Damaged));
        assert_eq!(from_file(&file[..file.len() - 1]), Err(WeightsError::Damaged));
        // 64 bytes flipped in the middle of the weights: refused, not loaded as a damaged model.
        let mut flipped = file.clone();
        let mid = file.len() / 2;
        flipped[mid..mid + 64].iter_mut().for_each(|b| *b ^= 0x5a);
        assert_eq!(from_file(&flipped), Err(WeightsError::Damaged));
        // A version 1 file (no checksum) still loads; cut short, it is refused as before.
        let mut v1 = file[..file.len() - 4].to_vec();
        v1[4] = 1;
        assert_eq!(from_file(&v1).expect("version 1 loads"), (header.clone(), params.clone()));
        assert!(matches!(from_file(&v1[..20]), Err(WeightsError::Corrupt(_))));
        assert!(matches!(from_file(&v1[..v1.len() - 1]), Err(WeightsError::Corrupt(_))));
        let half = FileHeader { precision: Precision::F16, ..header.clone() };
        let small = to_file(&half, &params);
        let (h16, p16) = from_file(&small).expect("f16 round trip");
        assert_eq!(h16, half);
        assert!(small.len() < file.len() * 6 / 10, "f16 file {} vs f32 {}", small.len(), file.len());
        assert!(p16.iter().zip(&params).all(|(a, b)| (a - b).abs() <= 1e-3 * b.abs().max(1e-2)));
        let pair = restore_all(&[cfg.clone(), cfg.clone()], &[p.clone(), p.clone()].concat(), &device);
        assert_eq!(pair.map(|n| n.len()), Ok(2));
        assert!(matches!(
            restore_all(std::slice::from_ref(&cfg), &[p.clone(), p.clone()].concat(), &device),
            Err(WeightsError::Mismatch { .. })
        ));
        let other = NetConfig { hidden: vec![32], ..cfg };
        assert!(matches!(restore(&other, &p, &device), Err(WeightsError::Mismatch { .. })));
    }
}
