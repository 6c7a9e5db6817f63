//! Parsing and validation of (optionally gzip'd) IDX files, the MNIST file format.
//!
//! An IDX file is a 4-byte magic (`0, 0, type, ndim`), `ndim` big-endian u32 dimensions, then the
//! data, row-major. We accept unsigned-byte data only: images (`0x00000803`, `[n, rows, cols]`) and
//! labels (`0x00000801`, `[n]`). No file I/O here: bytes fetched by a browser work as they are.
//! Every malformed input returns an [`IdxError`]; nothing here panics, whatever the bytes.

use std::io::Read;

use flate2::read::GzDecoder;

/// Magic number of an unsigned-byte, 3-D IDX file (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an unsigned-byte, 1-D IDX file (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// Largest decompressed file we accept (the 60k MNIST train images are 47 MB).
pub const MAX_BYTES: usize = 128 << 20;
/// Largest image side we accept.
pub const MAX_SIDE: usize = 1024;

/// Why bytes are not a usable IDX file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdxError {
    #[error("the gzip stream is corrupt: {0}")]
    Gzip(String),
    #[error("the file is larger than {MAX_BYTES} bytes once decompressed")]
    TooLarge,
    #[error("the file is {len} bytes long, too short for an IDX header")]
    TooShort { len: usize },
    #[error("bad magic number 0x{found:08x}: expected 0x{expected:08x} ({what})")]
    BadMagic { found: u32, expected: u32, what: &'static str },
    #[error("absurd dimensions {dims:?}")]
    AbsurdDims { dims: Vec<u32> },
    #[error("the header promises {expected} data bytes but the file holds {found}")]
    WrongLength { expected: usize, found: usize },
    #[error("images are {rows}x{cols}, expected {want}x{want}")]
    WrongSize { rows: usize, cols: usize, want: usize },
    #[error("{images} images but {labels} labels")]
    CountMismatch { images: usize, labels: usize },
    #[error("{labels} labels need {expected} pixel bytes (28x28 per image), got {pixels}")]
    PixelCount { labels: usize, expected: usize, pixels: usize },
    #[error("label {label} at index {index} is not a class 0..=9")]
    BadLabel { label: u8, index: usize },
}

/// Decompresses gzip'd bytes (bounded by [`MAX_BYTES`]); bytes without the gzip magic pass unchanged.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return if bytes.len() > MAX_BYTES { Err(IdxError::TooLarge) } else { Ok(bytes.to_vec()) };
    }
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| IdxError::Gzip(e.to_string()))?;
    if out.len() > MAX_BYTES {
        return Err(IdxError::TooLarge);
    }
    Ok(out)
}

/// Splits a decompressed IDX file into its dimensions and data, checking the magic and the length.
fn parse<'a>(bytes: &'a [u8], magic: u32, what: &'static str) -> Result<(Vec<usize>, &'a [u8]), IdxError> {
    let word = |i: usize| -> Option<u32> {
        let b = bytes.get(4 * i..4 * i + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let found = word(0).ok_or(IdxError::TooShort { len: bytes.len() })?;
    if found != magic {
        return Err(IdxError::BadMagic { found, expected: magic, what });
    }
    let ndim = (magic & 0xff) as usize;
    let raw: Vec<u32> =
        (1..=ndim).map(word).collect::<Option<_>>().ok_or(IdxError::TooShort { len: bytes.len() })?;
    let dims: Vec<usize> = raw.iter().map(|&d| d as usize).collect();
    let expected = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_BYTES)
        .ok_or_else(|| IdxError::AbsurdDims { dims: raw.clone() })?;
    let data = &bytes[4 * (ndim + 1)..];
    if data.len() != expected {
        return Err(IdxError::WrongLength { expected, found: data.len() });
    }
    Ok((dims, data))
}

/// Images of one IDX file: `count` row-major `rows x cols` grey images, one byte per pixel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Images {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

/// Parses an images file (gzip'd or raw).
pub fn parse_images(bytes: &[u8]) -> Result<Images, IdxError> {
    let bytes = gunzip(bytes)?;
    let (dims, data) = parse(&bytes, IMAGES_MAGIC, "images")?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if rows == 0 || cols == 0 || rows > MAX_SIDE || cols > MAX_SIDE {
        return Err(IdxError::AbsurdDims { dims: dims.iter().map(|&d| d as u32).collect() });
    }
    Ok(Images { count, rows, cols, pixels: data.to_vec() })
}

/// Parses a labels file (gzip'd or raw); every label must be a class 0..=9.
pub fn parse_labels(bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    let bytes = gunzip(bytes)?;
    let (_, data) = parse(&bytes, LABELS_MAGIC, "labels")?;
    if let Some((index, &label)) = data.iter().enumerate().find(|(_, l)| **l > 9) {
        return Err(IdxError::BadLabel { label, index });
    }
    Ok(data.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut v = magic.to_be_bytes().to_vec();
        dims.iter().for_each(|d| v.extend(d.to_be_bytes()));
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn good_files_parse() {
        let img = parse_images(&idx(IMAGES_MAGIC, &[2, 2, 3], &[7; 12])).expect("valid");
        assert_eq!((img.count, img.rows, img.cols, img.pixels.len()), (2, 2, 3, 12));
        assert_eq!(parse_labels(&idx(LABELS_MAGIC, &[3], &[0, 9, 4])), Ok(vec![0, 9, 4]));
    }

    #[test]
    fn every_bad_input_class_has_its_error() {
        assert_eq!(parse_images(&[0, 0]), Err(IdxError::TooShort { len: 2 }));
        assert!(matches!(
            parse_images(&idx(LABELS_MAGIC, &[1], &[1])),
            Err(IdxError::BadMagic { found: LABELS_MAGIC, .. })
        ));
        assert_eq!(
            parse_images(&idx(IMAGES_MAGIC, &[2, 28, 28], &[0; 100])),
            Err(IdxError::WrongLength { expected: 1568, found: 100 })
        );
        assert_eq!(
            parse_images(&idx(IMAGES_MAGIC, &[2, 28, 28], &[0; 1569])),
            Err(IdxError::WrongLength { expected: 1568, found: 1569 })
        );
        assert!(matches!(
            parse_images(&idx(IMAGES_MAGIC, &[u32::MAX, u32::MAX, 28], &[])),
            Err(IdxError::AbsurdDims { .. })
        ));
        assert!(matches!(
            parse_images(&idx(IMAGES_MAGIC, &[1, 0, 5], &[])),
            Err(IdxError::AbsurdDims { .. })
        ));
        assert_eq!(
            parse_labels(&idx(LABELS_MAGIC, &[2], &[3, 12])),
            Err(IdxError::BadLabel { label: 12, index: 1 })
        );
        assert!(matches!(parse_labels(&[0x1f, 0x8b, 8, 0, 1, 2, 3]), Err(IdxError::Gzip(_))));
    }
}
