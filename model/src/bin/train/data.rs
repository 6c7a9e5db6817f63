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
    let is_test = |i: usize| i.is_multiple_of(HELD_OUT_SHARE) && i / HELD_OUT_SHARE < held;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(n: usize) -> Dataset {
        let pixels = (0..n * PIXELS).map(|i| (i / PIXELS) as u8).collect();
        Dataset::from_parts(pixels, (0..n).map(|i| (i % 10) as u8).collect()).expect("valid parts")
    }

    #[test]
    fn every_tenth_image_is_held_out() {
        let loaded = split(dataset(100), "x".into()).expect("splits");
        assert_eq!((loaded.train.len(), loaded.test.len()), (90, 10));
        // Image i is filled with the value i: the test set holds images 0, 10, 20, …
        let firsts: Vec<u8> = (0..10).filter_map(|i| loaded.test.image(i)).map(|img| img[0]).collect();
        assert_eq!(firsts, (0..10).map(|i| i * 10).collect::<Vec<u8>>());
        assert!(split(dataset(1), "one".into()).is_err(), "one image is too few");
    }

    #[test]
    fn image_files_are_made_mnist_like_and_blank_or_bad_ones_refused() {
        let dir = std::env::temp_dir().join(format!("lsx-data-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("7")).expect("temp dir");
        // Black ink on white paper, a bar 60 px tall in a 100 x 120 scan: fitted into 20 x 20, centred.
        let scan = image::GrayImage::from_fn(100, 120, |x, y| {
            image::Luma([if (45..55).contains(&x) && (30..90).contains(&y) { 0 } else { 255 }])
        });
        scan.save(dir.join("7/scan.png")).expect("png written");
        image::GrayImage::from_pixel(40, 40, image::Luma([255]))
            .save(dir.join("blank.png"))
            .expect("png written");
        std::fs::write(dir.join("notes.txt"), "not an image").expect("written");
        let (data, refused) = folder(&dir, &DatasetName::Mnist.class_names()).expect("folder reads");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!((data.len(), data.labels()), (1, &[7u8][..]), "the scan, labelled from its folder");
        assert_eq!(refused.len(), 2, "{refused:?}");
        let img = data.image(0).expect("one image");
        let rows: Vec<usize> =
            (0..28).filter(|r| img[r * 28..(r + 1) * 28].iter().any(|&p| p > 128)).collect();
        assert_eq!(rows.len(), 20, "the bar is 20 rows tall after fitting: {rows:?}");
        assert!((3..=5).contains(&rows[0]), "and centred: rows {rows:?}");
        assert!(img[..28].iter().all(|&p| p == 0), "ink on dark: the border is 0");
    }
}
