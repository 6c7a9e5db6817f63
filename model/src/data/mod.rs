//! Datasets kept as bytes on the host, and the seeded batches and noise that turn them into tensors.
//!
//! Pixels stay `u8` (60,000 MNIST images are 47 MB as bytes, 188 MB as f32); a batch becomes an
//! f32 tensor in 0..1, row-major `[B, 784]`, on whatever device the caller passes.

pub mod degrade;
pub mod idx;
pub mod ink;

use burn::tensor::{Device, Distribution, Tensor, TensorData};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

pub use idx::{IdxError, parse_images, parse_labels};

/// Image side of every dataset we train on.
pub const SIDE: usize = 28;
/// Pixels per image.
pub const PIXELS: usize = SIDE * SIDE;

/// Which bundled dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DatasetName {
    #[default]
    Mnist,
    FashionMnist,
}

impl DatasetName {
    /// The id used in URLs, file names and the UI (`mnist`, `fashion-mnist`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Mnist => "mnist",
            Self::FashionMnist => "fashion-mnist",
        }
    }

    /// Parses [`DatasetName::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        [Self::Mnist, Self::FashionMnist].into_iter().find(|d| d.id() == id)
    }

    /// Human names of the ten classes.
    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            Self::Mnist => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            Self::FashionMnist => [
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ],
        }
    }

    /// File names of (train images, train labels, test images, test labels) under `data/<id>/`.
    pub fn files(self) -> [&'static str; 4] {
        [
            "train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz",
        ]
    }
}

/// Images as bytes with their labels (absent labels are stored as 0): 28x28 grey ones (MNIST's), or
/// rows of any other length (`h × w × c`, an opened model's images; see [`Dataset::from_rows`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pixels: Vec<u8>,
    labels: Vec<u8>,
    /// Bytes per image.
    row: usize,
}

impl Dataset {
    /// Builds a dataset from IDX images and optional labels (gzip'd or raw), checking that they agree.
    pub fn from_idx(images: &[u8], labels: Option<&[u8]>) -> Result<Self, IdxError> {
        let img = parse_images(images)?;
        if (img.rows, img.cols) != (SIDE, SIDE) {
            return Err(IdxError::WrongSize { rows: img.rows, cols: img.cols, want: SIDE });
        }
        let labels = match labels {
            Some(bytes) => parse_labels(bytes)?,
            None => vec![0; img.count],
        };
        if labels.len() != img.count {
            return Err(IdxError::CountMismatch { images: img.count, labels: labels.len() });
        }
        Ok(Self { pixels: img.pixels, labels, row: PIXELS })
    }

    /// A dataset of images already decoded: `pixels` holds `labels.len()` row-major 28x28 images,
    /// one byte per pixel; every label must be a class 0..=9.
    pub fn from_parts(pixels: Vec<u8>, labels: Vec<u8>) -> Result<Self, IdxError> {
        Self::from_rows(pixels, labels, PIXELS)
    }

    /// A dataset of images of `row` bytes each (any size and channels, as an opened model takes
    /// them); every label must be a class 0..=9.
    pub fn from_rows(pixels: Vec<u8>, labels: Vec<u8>, row: usize) -> Result<Self, IdxError> {
        let expected = labels.len().checked_mul(row).ok_or(IdxError::TooLarge)?;
        if pixels.len() != expected {
            return Err(IdxError::PixelCount { labels: labels.len(), expected, pixels: pixels.len() });
        }
        if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
            return Err(IdxError::BadLabel { label, index });
        }
        Ok(Self { pixels, labels, row })
    }

    /// Bytes per image (784 for MNIST's).
    pub fn row(&self) -> usize {
        self.row
    }

    /// Every image's pixels, row-major `[len * row]`.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// All labels, in order.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// Image `i` as its `row` bytes, row-major; `None` past the end.
    pub fn image(&self, i: usize) -> Option<&[u8]> {
        self.pixels.get(i * self.row..(i + 1) * self.row)
    }

    /// Images `indices` as f32 in 0..1, row-major `[indices.len() * row]`; out-of-range indices are skipped.
    pub fn floats(&self, indices: impl IntoIterator<Item = usize>) -> Vec<f32> {
        indices
            .into_iter()
            .filter_map(|i| self.image(i))
            .flat_map(|img| img.iter().map(|&p| f32::from(p) / 255.0))
            .collect()
    }

    /// Images `indices` as a `[B, 784]` tensor on `device`.
    pub fn batch(&self, indices: &[usize], device: &Device) -> Tensor<2> {
        let data = self.floats(indices.iter().copied());
        let rows = data.len() / self.row.max(1);
        Tensor::from_data(TensorData::new(data, [rows, self.row]), device)
    }
}

/// Input corruption for denoising autoencoders: the target stays the clean image.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Noise {
    #[default]
    None,
    /// Adds N(0, std²) to every pixel, then clamps to 0..1.
    Gaussian { std: f32 },
    /// Sets each pixel to 0 with probability `p`.
    Mask { p: f32 },
    /// Hides half of each image (completion: the model learns to fill it in).
    Hide { half: degrade::Half },
    /// Lowers the resolution by `factor` (2: 14×14, 4: 7×7): super-resolution.
    LowRes { factor: u8 },
}

impl Noise {
    /// Corrupts `x` (`[B, 784]`, values in 0..1) with the device's seeded RNG.
    pub fn apply(self, x: Tensor<2>) -> Tensor<2> {
        let (shape, device) = (x.shape(), x.device());
        match self {
            Noise::None => x,
            Noise::Gaussian { std } if std > 0.0 => {
                let n = Tensor::<2>::random(shape, Distribution::Normal(0.0, f64::from(std)), &device);
                (x + n).clamp(0.0, 1.0)
            }
            Noise::Mask { p } if p > 0.0 => {
                let keep =
                    Tensor::<2>::random(shape, Distribution::Uniform(0.0, 1.0), &device).greater_elem(p);
                x.mask_fill(keep.bool_not(), 0.0)
            }
            Noise::Hide { half } => degrade::hide_tensor(x, half),
            Noise::LowRes { factor } => degrade::low_res_tensor(x, usize::from(factor)),
            _ => x,
        }
    }
}

/// Seeded epochs of shuffled indices, cut into batches; the same seed gives the same batches.
#[derive(Debug, Clone)]
pub struct Batcher {
    order: Vec<usize>,
    pos: usize,
    epoch: usize,
    batch_size: usize,
    seed: u64,
}

impl Batcher {
    /// A batcher over `len` items; `batch_size` is at least 1 and at most `len`.
    pub fn new(len: usize, batch_size: usize, seed: u64) -> Self {
        let mut order: Vec<usize> = (0..len).collect();
        order.shuffle(&mut Self::rng(seed, 0));
        Self { order, pos: 0, epoch: 0, batch_size: batch_size.clamp(1, len.max(1)), seed }
    }

    /// The generator of epoch `epoch`'s order: each epoch is a pure function of (seed, epoch).
    fn rng(seed: u64, epoch: usize) -> StdRng {
        StdRng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next batch's indices; a new shuffled epoch starts when fewer than a batch remain.
    pub fn next_batch(&mut self) -> &[usize] {
        if self.pos + self.batch_size > self.order.len() {
            self.pos = 0;
            self.epoch += 1;
            self.order.shuffle(&mut Self::rng(self.seed, self.epoch));
        }
        let start = self.pos;
        self.pos += self.batch_size;
        &self.order[start..self.pos]
    }

    /// Moves on by `steps` batches, as if they had been drawn (a resumed run continues the batch
    /// sequence it would have had).
    pub fn skip(&mut self, steps: u64) {
        for _ in 0..steps {
            self.next_batch();
        }
    }

    /// Completed epochs plus the fraction of the current one.
    pub fn epoch_progress(&self) -> f64 {
        self.epoch as f64 + self.pos as f64 / self.order.len().max(1) as f64
    }

    /// Batches per epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.order.len() / self.batch_size
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `n` distinct synthetic images (stripes of varying phase and width), unlabelled.
    pub(crate) fn stripes(n: u32) -> Dataset {
        let mut v = super::idx::IMAGES_MAGIC.to_be_bytes().to_vec();
        [n, 28, 28].iter().for_each(|d| v.extend(d.to_be_bytes()));
        let n = n as usize;
        v.extend((0..n * PIXELS).map(|i| {
            let (k, p) = (i / PIXELS, i % PIXELS);
            if (p / 28 + k) % (2 + k % 5) == 0 { 255u8 } else { 0 }
        }));
        Dataset::from_idx(&v, None).expect("valid synthetic IDX")
    }

    #[test]
    fn batcher_is_seeded_and_covers_an_epoch() {
        let (mut a, mut b) = (Batcher::new(10, 3, 7), Batcher::new(10, 3, 7));
        let seen: Vec<usize> = (0..3).flat_map(|_| a.next_batch().to_vec()).collect();
        let again: Vec<usize> = (0..3).flat_map(|_| b.next_batch().to_vec()).collect();
        assert_eq!(seen, again);
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 9, "one epoch has no repeats");
        assert_ne!(Batcher::new(10, 3, 8).next_batch(), &seen[..3]);
    }

    #[test]
    fn a_skipped_batcher_continues_the_same_sequence() {
        let mut a = Batcher::new(10, 3, 7);
        let later: Vec<Vec<usize>> = (0..8).map(|_| a.next_batch().to_vec()).collect();
        let mut b = Batcher::new(10, 3, 7);
        b.skip(5);
        assert_eq!(b.next_batch(), &later[5][..]);
        let mut c = Batcher::new(10, 3, 7);
        (0..6).for_each(|_| {
            c.next_batch();
        });
        assert_eq!(b.epoch_progress(), c.epoch_progress());
    }

    #[test]
    fn labels_must_match_images() {
        let mut img = super::idx::IMAGES_MAGIC.to_be_bytes().to_vec();
        [2u32, 28, 28].iter().for_each(|d| img.extend(d.to_be_bytes()));
        img.extend(vec![0u8; 2 * PIXELS]);
        let mut lab = super::idx::LABELS_MAGIC.to_be_bytes().to_vec();
        lab.extend(3u32.to_be_bytes());
        lab.extend([1, 2, 3]);
        assert_eq!(
            Dataset::from_idx(&img, Some(&lab)),
            Err(IdxError::CountMismatch { images: 2, labels: 3 })
        );
        assert_eq!(Dataset::from_idx(&img, None).map(|d| d.len()), Ok(2));
    }

    #[test]
    fn from_parts_checks_the_lengths_and_labels() {
        let data = stripes(3);
        let back = Dataset::from_parts(data.pixels().to_vec(), vec![1, 2, 3]).expect("valid parts");
        assert_eq!((back.len(), back.image(2), back.labels()), (3, data.image(2), &[1, 2, 3][..]));
        assert_eq!(
            Dataset::from_parts(vec![0; 2 * PIXELS + 1], vec![0, 0]),
            Err(IdxError::PixelCount { labels: 2, expected: 2 * PIXELS, pixels: 2 * PIXELS + 1 })
        );
        assert_eq!(
            Dataset::from_parts(vec![0; PIXELS], vec![10]),
            Err(IdxError::BadLabel { label: 10, index: 0 })
        );
        assert_eq!(Dataset::from_parts(Vec::new(), Vec::new()).map(|d| d.is_empty()), Ok(true));
    }
}
