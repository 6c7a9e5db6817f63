//! A drawing or a photo of a digit made into an MNIST-like image, the way MNIST itself was made: the
//! ink's bounding box fitted into 20 × 20 keeping its aspect (area-averaged, so anti-aliased), then
//! centred by its centre of mass in 28 × 28. Also the first steps for an image file: grey, and ink
//! light on dark (inverted when the background is light).

/// The side of the box the ink is fitted into, in the 28 × 28 image.
const FIT: usize = 20;
const SIDE: usize = 28;
/// A pixel with less ink than this does not count for the bounding box (JPEG noise, paper grain).
const INK: f32 = 0.1;

/// Ink (0 = none, 1 = full) of each pixel of an RGBA image: its luminance, composited over its own
/// background, and inverted when that background is light (dark digits on white paper). The
/// background is judged from the image's border pixels; a fully transparent pixel is background.
pub fn ink_from_rgba(rgba: &[u8], width: usize, height: usize) -> Vec<f32> {
    let n = (width * height).min(rgba.len() / 4);
    let alpha = |i: usize| f32::from(rgba[i * 4 + 3]) / 255.0;
    let luma = |i: usize| {
        let [r, g, b] = [rgba[i * 4], rgba[i * 4 + 1], rgba[i * 4 + 2]].map(f32::from);
        (0.299 * r + 0.587 * g + 0.114 * b) / 255.0
    };
    // A transparent image (a drawing saved without a background): its ink is its opacity.
    let transparent = (0..n).any(|i| alpha(i) < 0.5);
    if transparent {
        return (0..n).map(alpha).collect();
    }
    let border: Vec<usize> = (0..n)
        .filter(|&i| {
            let (x, y) = (i % width, i / width);
            x == 0 || y == 0 || x + 1 == width || y + 1 == height
        })
        .collect();
    let light =
        !border.is_empty() && border.iter().map(|&i| luma(i)).sum::<f32>() / border.len() as f32 > 0.5;
    (0..n).map(|i| if light { 1.0 - luma(i) } else { luma(i) }).collect()
}

/// The MNIST-like 28 × 28 image (ink 0..1, row-major) of `ink` (`width` × `height`, 0..1), or None
/// when there is no ink.
pub fn to_mnist(ink: &[f32], width: usize, height: usize) -> Option<Vec<f32>> {
    let at = |x: usize, y: usize| ink.get(y * width + x).copied().unwrap_or(0.0);
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if at(x, y) > INK {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    if x0 > x1 {
        return None;
    }
    let (bw, bh) = (x1 + 1 - x0, y1 + 1 - y0);
    // Source pixels per target pixel: the long side becomes FIT pixels.
    let scale = bw.max(bh) as f32 / FIT as f32;
    let (tw, th) = (
        ((bw as f32 / scale).round() as usize).clamp(1, FIT),
        ((bh as f32 / scale).round() as usize).clamp(1, FIT),
    );
    let fitted = area_resample(&|x, y| at(x0 + x, y0 + y), [bw, bh], [tw, th]);
    Some(centred(&fitted, tw, th))
}

/// An image that is already 28 × 28 (an MNIST-format file) keeps its scale: only centred by its
/// centre of mass. None when there is no ink.
pub fn centre_28(ink: &[f32]) -> Option<Vec<f32>> {
    (ink.len() == SIDE * SIDE && ink.iter().any(|&v| v > INK)).then(|| centred(ink, SIDE, SIDE))
}

/// `img` (`w` × `h`, at most 28 × 28) placed in 28 × 28 with its centre of mass at the centre.
fn centred(img: &[f32], w: usize, h: usize) -> Vec<f32> {
    let mass: f32 = img.iter().sum();
    let (mut cx, mut cy) = (0.0, 0.0);
    for (i, v) in img.iter().enumerate() {
        cx += v * (i % w) as f32;
        cy += v * (i / w) as f32;
    }
    let (cx, cy) = if mass > 0.0 { (cx / mass, cy / mass) } else { (w as f32 / 2.0, h as f32 / 2.0) };
    // MNIST's centres of mass sit at pixel (14, 14) (measured on its test set: 14.00 ± 0.29).
    let centre = SIDE as f32 / 2.0;
    let (dx, dy) = ((centre - cx).round() as i64, (centre - cy).round() as i64);
    let mut out = vec![0.0; SIDE * SIDE];
    for (i, v) in img.iter().enumerate() {
        let (x, y) = ((i % w) as i64 + dx, (i / w) as i64 + dy);
        if (0..SIDE as i64).contains(&x) && (0..SIDE as i64).contains(&y) {
            out[y as usize * SIDE + x as usize] = v.clamp(0.0, 1.0);
        }
    }
    out
}

/// `src` (`from[0]` × `from[1]`) resampled to `to[0]` × `to[1]` by area averaging: each target pixel
/// is the mean of the source area it covers, partial pixels weighted by their overlap.
fn area_resample(src: &dyn Fn(usize, usize) -> f32, from: [usize; 2], to: [usize; 2]) -> Vec<f32> {
    let (sx, sy) = (from[0] as f32 / to[0] as f32, from[1] as f32 / to[1] as f32);
    let span = |t: usize, s: f32, limit: usize| {
        let (a, b) = (t as f32 * s, (t as f32 + 1.0) * s);
        (a.floor() as usize..(b.ceil() as usize).min(limit))
            .map(move |p| (p, (b.min(p as f32 + 1.0) - a.max(p as f32)).max(0.0)))
    };
    let mut out = Vec::with_capacity(to[0] * to[1]);
    for ty in 0..to[1] {
        for tx in 0..to[0] {
            let (mut sum, mut weight) = (0.0, 0.0);
            for (y, wy) in span(ty, sy, from[1]) {
                for (x, wx) in span(tx, sx, from[0]) {
                    sum += src(x, y) * wx * wy;
                    weight += wx * wy;
                }
            }
            out.push(if weight > 0.0 { sum / weight } else { 0.0 });
        }
    }
    out
}

/// The class of an image file from its path: its folder's name (`7/scan.png`, `Sneaker/a.jpg`), else
/// a leading digit or class name in its file name (`3_mine.png`, `sneaker-2.webp`). Class names match
/// ignoring case and anything but letters and digits (`tshirt` is "T-shirt/top"'s first word).
pub fn label_from_path(path: &str, class_names: &[&str; 10]) -> Option<u8> {
    let key =
        |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let classes: Vec<String> = class_names.iter().map(|c| key(c)).collect();
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let (file, folders) = parts.split_last()?;
    // The folder: exactly a class (or its first word, as in "tshirt" or "t-shirt").
    if let Some(folder) = folders.last() {
        let folder = key(folder);
        let first_word = |c: &str| key(c.split(['/', ' ']).next().unwrap_or(c));
        if let Some(i) = class_names.iter().position(|c| key(c) == folder || first_word(c) == folder) {
            return u8::try_from(i).ok();
        }
    }
    // The file name: a leading digit not followed by another digit, or a leading class name.
    let stem = file.rsplit_once('.').map_or(*file, |(s, _)| s);
    let mut chars = stem.chars();
    if let Some(d) = chars.next().and_then(|c| c.to_digit(10))
        && !chars.next().is_some_and(|c| c.is_ascii_digit())
        && classes.iter().all(|c| c.parse::<u32>().is_ok() || c.is_empty())
    {
        return u8::try_from(d).ok();
    }
    let stem = key(stem);
    // The longest matching name wins ("shirt" must not take "tshirttop"'s images).
    let mut best: Option<(usize, usize)> = None;
    for (i, c) in classes.iter().enumerate() {
        let word = key(class_names[i].split(['/', ' ']).next().unwrap_or(c));
        for name in [c.as_str(), word.as_str()] {
            let numeric = name.parse::<u32>().is_ok();
            if !numeric
                && !name.is_empty()
                && stem.starts_with(name)
                && best.is_none_or(|(_, l)| name.len() > l)
            {
                best = Some((i, name.len()));
            }
        }
    }
    best.and_then(|(i, _)| u8::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bbox(img: &[f32]) -> [usize; 4] {
        let on: Vec<usize> = (0..784).filter(|&i| img[i] > INK).collect();
        let xs = on.iter().map(|i| i % 28);
        let ys = on.iter().map(|i| i / 28);
        [
            xs.clone().min().unwrap_or(0),
            ys.clone().min().unwrap_or(0),
            xs.max().unwrap_or(0),
            ys.max().unwrap_or(0),
        ]
    }

    fn centre_of_mass(img: &[f32]) -> (f32, f32) {
        let m: f32 = img.iter().sum();
        let x: f32 = img.iter().enumerate().map(|(i, v)| v * (i % 28) as f32).sum();
        let y: f32 = img.iter().enumerate().map(|(i, v)| v * (i / 28) as f32).sum();
        (x / m, y / m)
    }

    #[test]
    fn a_tall_stroke_fills_twenty_rows_and_sits_at_the_centre() {
        // A 12-pixel-wide vertical bar, 200 tall, near the left of a 280 x 280 pad.
        let mut pad = vec![0.0; 280 * 280];
        for y in 30..230 {
            for x in 20..32 {
                pad[y * 280 + x] = 1.0;
            }
        }
        let img = to_mnist(&pad, 280, 280).expect("ink");
        let [x0, y0, x1, y1] = bbox(&img);
        assert_eq!(y1 + 1 - y0, 20, "the long side is fitted to 20 pixels");
        assert!(x1 + 1 - x0 <= 2, "the aspect is kept: {x0}..{x1}");
        let (cx, cy) = centre_of_mass(&img);
        assert!((cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5, "centre of mass {cx}, {cy}");
    }

    #[test]
    fn a_small_wide_shape_is_scaled_up_with_soft_edges() {
        // A 10 x 4 block in a 100 x 100 image: the width becomes 20 pixels, the height 8.
        let mut pad = vec![0.0; 100 * 100];
        for y in 50..54 {
            for x in 10..20 {
                pad[y * 100 + x] = 1.0;
            }
        }
        let img = to_mnist(&pad, 100, 100).expect("ink");
        let [x0, y0, x1, y1] = bbox(&img);
        assert_eq!((x1 + 1 - x0, y1 + 1 - y0), (20, 8));
        // A diagonal stroke's edges fall mid-pixel: grey edges (anti-aliasing).
        let mut pad = vec![0.0; 50 * 50];
        for y in 0..50usize {
            for x in 0..50usize {
                if x.abs_diff(y) < 3 {
                    pad[y * 50 + x] = 1.0;
                }
            }
        }
        let img = to_mnist(&pad, 50, 50).expect("ink");
        assert!(img.iter().any(|&v| v > 0.05 && v < 0.95), "no grey pixel");
    }

    #[test]
    fn labels_come_from_the_folder_or_the_start_of_the_file_name() {
        let digits = crate::DatasetName::Mnist.class_names();
        assert_eq!(label_from_path("mine/7/scan.png", &digits), Some(7));
        assert_eq!(label_from_path("3_my_three.png", &digits), Some(3));
        assert_eq!(label_from_path("4.jpg", &digits), Some(4));
        assert_eq!(label_from_path("12.png", &digits), None, "12 is no class");
        assert_eq!(label_from_path("scan.png", &digits), None);
        assert_eq!(label_from_path("photos/scan.png", &digits), None);
        let fashion = crate::DatasetName::FashionMnist.class_names();
        assert_eq!(label_from_path("Sneaker/a.jpg", &fashion), Some(7));
        assert_eq!(label_from_path("t-shirt/a.jpg", &fashion), Some(0));
        assert_eq!(label_from_path("sneaker-2.webp", &fashion), Some(7));
        assert_eq!(label_from_path("ankleboot_1.png", &fashion), Some(9));
        assert_eq!(label_from_path("shirt1.png", &fashion), Some(6));
        assert_eq!(label_from_path("tshirt1.png", &fashion), Some(0));
        assert_eq!(label_from_path("3.png", &fashion), None, "a digit is no Fashion-MNIST class");
    }

    #[test]
    fn a_28_by_28_image_keeps_its_scale_and_is_only_centred() {
        // A 6 x 10 block in the top-left corner of a 28 x 28 image.
        let mut img = vec![0.0; 784];
        for y in 0..10 {
            for x in 0..6 {
                img[y * 28 + x] = 1.0;
            }
        }
        let out = centre_28(&img).expect("ink");
        let [x0, y0, x1, y1] = bbox(&out);
        assert_eq!((x1 + 1 - x0, y1 + 1 - y0), (6, 10), "rescaled");
        let (cx, cy) = centre_of_mass(&out);
        assert!((cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5, "centre of mass {cx}, {cy}");
        assert_eq!(centre_28(&[0.0; 784]), None);
    }

    #[test]
    fn a_blank_image_has_no_digit() {
        assert_eq!(to_mnist(&[0.0; 400], 20, 20), None);
        assert_eq!(to_mnist(&[0.05; 400], 20, 20), None, "faint noise is not ink");
    }

    #[test]
    fn dark_ink_on_white_paper_is_inverted_and_light_ink_on_black_is_not() {
        // 3 x 3: white paper, one black pixel in the middle.
        let mut rgba = [255u8; 36].to_vec();
        rgba[16..19].copy_from_slice(&[0, 0, 0]);
        let ink = ink_from_rgba(&rgba, 3, 3);
        assert_eq!(ink[4], 1.0);
        assert_eq!(ink[0], 0.0);
        // Black background, white pixel: already ink on dark.
        let mut rgba: Vec<u8> = (0..9).flat_map(|_| [0, 0, 0, 255]).collect();
        rgba[16..19].copy_from_slice(&[255, 255, 255]);
        let ink = ink_from_rgba(&rgba, 3, 3);
        assert_eq!((ink[4], ink[0]), (1.0, 0.0));
        // Transparent background, opaque strokes: the opacity is the ink.
        let mut rgba = vec![0u8; 36];
        rgba[19] = 255;
        assert_eq!(ink_from_rgba(&rgba, 3, 3)[4], 1.0);
    }
}
