//! The command line's training and test sets: MNIST or Fashion-MNIST from `--data`, IDX files of any
//! count (`--idx`), or a folder of image files (`--images`) made MNIST-like exactly as the page makes
//! a user's images (`model::data::ink`), labelled from their folder or file names.

use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use indicatif::{ProgressBar, ProgressStyle};
use model::data::PIXELS;
use model::data::ink::{centre_28, ink_from_rgba, label_from_path, to_mnist};
use model::{Dataset, DatasetName};

type Error = Box<dyn std::error::Error>;

/// Images larger than this on their long side are scaled down first (as the page does).
const MAX_SIDE: u32 = 280;
/// The held-out share of a user's own data (at most [`MAX_HELD_OUT`] images) for the test figures and the map.
const HELD_OUT_SHARE: usize = 10;
const MAX_HELD_OUT: usize = 10_000;

/// Where the images come from.
pub enum Source<'a> {
    Builtin { dir: &'a Path, name: DatasetName },
    Idx { images: &'a Path, labels: Option<&'a Path> },
    Folder(&'a Path),
}

/// Training and test sets, and a line saying what was loaded.
pub struct Loaded {
    pub train: Dataset,
    pub test: Dataset,
    pub said: String,
}

pub fn load(source: Source, classes: &[&str; 10]) -> Result<Loaded, Error> {
    match source {
        Source::Builtin { dir, name } => {
            let [ti, tl, vi, vl] = name.files();
            let read = |f: &str| {
                let path = dir.join(name.id()).join(f);
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            };
            let train = Dataset::from_idx(&read(ti)?, Some(&read(tl)?))?;
            let test = Dataset::from_idx(&read(vi)?, Some(&read(vl)?))?;
            let said = format!("{}: {} training and {} test images", name.id(), train.len(), test.len());
            Ok(Loaded { train, test, said })
        }
        Source::Idx { images, labels } => {
            let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
            let labels = labels.map(read).transpose()?;
            let all = Dataset::from_idx(&read(images)?, labels.as_deref())?;
            split(all, format!("{}", images.display()))
        }
        Source::Folder(dir) => {
            let (all, refused) = folder(dir, classes)?;
            for why in refused.iter().take(10) {
                eprintln!("skipped {why}");
            }
            if refused.len() > 10 {
                eprintln!("… and {} more files skipped", refused.len() - 10);
            }
            split(all, format!("{} ({} files skipped)", dir.display(), refused.len()))
        }
    }
}

/// Holds out every tenth image (at most 10,000) as the test set.
fn split(all: Dataset, name: String) -> Result<Loaded, Error> {
    let n = all.len();
    if n < 2 {
        return Err(format!("{name} holds {n} usable image(s); at least 2 are needed").into());
    }
    let held = (n / HELD_OUT_SHARE).clamp(1, MAX_HELD_OUT);
    let is_test = |i: usize| i % HELD_OUT_SHARE == 0 && i / HELD_OUT_SHARE < held;
    let pick = |test: bool| -> Result<Dataset, Error> {
        let keep: Vec<usize> = (0..n).filter(|&i| is_test(i) == test).collect();
        let pixels = keep.iter().filter_map(|&i| all.image(i)).flatten().copied().collect();
        let labels = keep.iter().map(|&i| all.labels()[i]).collect();
        Ok(Dataset::from_parts(pixels, labels)?)
    };
    let (train, test) = (pick(false)?, pick(true)?);
    let said = format!("{name}: {} training and {} held-out test images", train.len(), test.len());
    Ok(Loaded { train, test, said })
}

/// Every image file under `dir` (recursively, in name order), with a progress bar; files that are
/// not images or hold no digit are skipped with the reason.
fn folder(dir: &Path, classes: &[&str; 10]) -> Result<(Dataset, Vec<String>), Error> {
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(|e| format!("cannot read the folder {}: {e}", dir.display()))?;
    files.sort();
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} images read [{elapsed} < {eta}]")?);
    let (mut pixels, mut labels, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    for path in &files {
        let relative = path.strip_prefix(dir).unwrap_or(path).to_string_lossy().replace('\\', "/");
        match mnist_like(path) {
            Ok(img) => {
                pixels.extend(img);
                labels.push(label_from_path(&relative, classes).unwrap_or(0));
            }
            Err(why) => refused.push(format!("{relative} ({why})")),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((Dataset::from_parts(pixels, labels)?, refused))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// One image file as 28 × 28 bytes: grey, ink on dark, fitted into 20 × 20 and centred (a 28 × 28
/// file is only centred), the page's preprocessing.
fn mnist_like(path: &Path) -> Result<Vec<u8>, String> {
    let img = image::ImageReader::open(path)
        .map_err(|e| e.to_string())?
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .decode()
        .map_err(|_| "not a PNG, JPEG, WebP or GIF that could be read".to_string())?;
    let (w, h) = (img.width().max(1), img.height().max(1));
    let scale = (f64::from(MAX_SIDE) / f64::from(w.max(h))).min(1.0);
    let (tw, th) =
        (((f64::from(w) * scale).round() as u32).max(1), ((f64::from(h) * scale).round() as u32).max(1));
    let rgba = if (tw, th) == (w, h) {
        img.to_rgba8()
    } else {
        img.resize_exact(tw, th, FilterType::Triangle).to_rgba8()
    };
    let ink = ink_from_rgba(rgba.as_raw(), tw as usize, th as usize);
    let out = if (tw, th) == (28, 28) { centre_28(&ink) } else { to_mnist(&ink, tw as usize, th as usize) }
        .ok_or("no digit in it (the image is blank)")?;
    debug_assert_eq!(out.len(), PIXELS);
    Ok(out.iter().map(|v| (v * 255.0).round() as u8).collect())
}
