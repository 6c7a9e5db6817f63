//! The user's own data: a digit drawn on the pad (synthetic pointer strokes) and real image files
//! (PNG and JPEG written here from MNIST test images, some in a folder named by their label, some on
//! a white background), against the pretrained AE.

use std::time::Duration;

use model::DatasetName;
use model::data::PIXELS;
use tests::{Page, Result, floats_f32};

/// The 5 nearest MNIST test images' majority label of `img` (784 values in 0..1), and the labels.
fn knn_label(img: &[f32], test: &model::Dataset) -> (u8, Vec<u8>) {
    let mut d: Vec<(f32, u8)> = (0..test.len())
        .filter_map(|i| {
            let t = test.image(i)?;
            let dist = t.iter().zip(img).map(|(&a, &b)| (f32::from(a) / 255.0 - b).powi(2)).sum::<f32>();
            Some((dist, test.labels()[i]))
        })
        .collect();
    d.sort_by(|a, b| a.0.total_cmp(&b.0));
    let near: Vec<u8> = d.iter().take(5).map(|x| x.1).collect();
    let mut votes = [0usize; 10];
    near.iter().for_each(|&l| votes[usize::from(l)] += 1);
    let best = (0..10u8).max_by_key(|&l| votes[usize::from(l)]).unwrap_or(0);
    (best, near)
}

/// A 28×28 digit canvas's values in 0..1 (ink = dark on the page's white).
async fn digit(page: &Page, id: &str) -> Result<Vec<f32>> {
    let v = page
        .js(&format!(
            "const d = document.querySelector('[data-testid={id}]').getContext('2d').getImageData(0, 0, 28, 28).data; \
             return Array.from({{length: 784}}, (_, i) => 1 - d[4 * i] / 255);"
        ))
        .await?;
    Ok(floats_f32(&v))
}

/// Draws `points` (fractions of the pad's side) as one stroke, then waits for the reconstruction.
async fn draw(page: &Page, points: &[(f64, f64)]) -> Result<Vec<f32>> {
    let side = page
        .js("return document.querySelector('[data-testid=draw-pad]').getBoundingClientRect().width;")
        .await?;
    let side = side.as_f64().unwrap_or(200.0);
    let px: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x * side, y * side)).collect();
    page.js("window.lsxRecon0 = ''; return 1;").await?;
    page.stroke("draw-pad", &px).await?;
    // The reconstruction settles once the last encode of the stroke has come back.
    let mut last = Vec::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = digit(page, "draw-recon").await?;
        if now.iter().any(|&v| v > 0.3) && now == last {
            return Ok(now);
        }
        last = now;
    }
    Err("the drawing's reconstruction never settled".into())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drawn_one_and_zero_are_read_as_one_and_zero() -> Result<()> {
    let test = tests::test_set(DatasetName::Mnist);
    let page = Page::launch("?backend=cpu").await?;
    page.set_viewport(1024, 768).await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    page.click("draw-toggle").await?;
    page.wait_for("document.querySelector('[data-testid=draw-pad]')", 10, "the pad").await?;
    // A "1": one vertical stroke.
    let one = draw(&page, &[(0.5, 0.15), (0.5, 0.35), (0.5, 0.55), (0.5, 0.75), (0.5, 0.88)]).await?;
    let (label, near) = knn_label(&one, &test);
    println!("drawn 1: reconstruction's 5 nearest test labels {near:?}");
    assert_eq!(label, 1, "the drawn 1 was reconstructed as a {label} ({near:?})");
    let input = digit(&page, "draw-input").await?;
    let mass: f32 = input.iter().sum();
    let cy = input.iter().enumerate().map(|(i, v)| v * (i / 28) as f32).sum::<f32>() / mass;
    let rows = (0..28).filter(|r| input[r * 28..(r + 1) * 28].iter().any(|&v| v > 0.1)).count();
    println!("the 1 as the model sees it: {rows} inked rows, centre of mass at row {cy:.1}");
    assert!((19..=21).contains(&rows) && (cy - 14.0).abs() < 1.0, "not MNIST-like: {rows} rows, centre {cy}");
    let marker =
        page.js("return document.querySelector('[data-testid=latent-overlay]').dataset.drawn;").await?;
    assert!(marker.as_str().is_some_and(|m| !m.is_empty()), "no ★ on the map");
    page.screenshot("draw-one-1024x768").await?;
    // A "0": an ellipse, after clearing the pad.
    page.click("draw-clear").await?;
    let ring: Vec<(f64, f64)> = (0..=40)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i) / 40.0;
            (0.5 + 0.26 * a.cos(), 0.5 + 0.36 * a.sin())
        })
        .collect();
    let zero = draw(&page, &ring).await?;
    let (label, near) = knn_label(&zero, &test);
    println!("drawn 0: reconstruction's 5 nearest test labels {near:?}");
    assert_eq!(label, 0, "the drawn 0 was reconstructed as a {label} ({near:?})");
    // Side by side: the drawing lands on both maps (the view encodes it again with the new models).
    page.select("model-select", "compare").await?;
    page.wait_for("window.lsxMap1 && window.lsxMap1.step >= 5000", 90, "the pretrained VAE's map").await?;
    page.wait_for(
        "['latent-overlay', 'latent-overlay-1'].every(id => document.querySelector(`[data-testid=${id}]`)?.dataset.drawn)",
        30,
        "the drawing's ★ on both maps",
    )
    .await?;
    let vae = digit(&page, "draw-recon-1").await?;
    assert!(vae.iter().any(|&v| v > 0.3), "no VAE reconstruction of the drawing");
    page.screenshot("draw-compare-1024x768").await?;
    for (w, h) in [(1920, 1080), (768, 1024), (390, 844)] {
        page.set_viewport(w, h).await?;
        tokio::time::sleep(Duration::from_millis(600)).await;
        page.screenshot(&format!("draw-compare-{w}x{h}")).await?;
    }
    page.finish().await
}

/// Writes test image `i` as a PNG (ink light on black, as MNIST) or, `paper`, as a JPEG with dark
/// ink on white.
fn write_image(path: &std::path::Path, pixels: &[u8], paper: bool) -> Result<()> {
    let grey: Vec<u8> = pixels.iter().map(|&p| if paper { 255 - p } else { p }).collect();
    if paper {
        let enc = jpeg_encoder::Encoder::new_file(path, 95)?;
        enc.encode(&grey, 28, 28, jpeg_encoder::ColorType::Luma)?;
    } else {
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        let mut enc = png::Encoder::new(file, 28, 28);
        enc.set_color(png::ColorType::Grayscale);
        enc.write_header()?.write_image_data(&grey)?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn image_files_land_next_to_their_test_images() -> Result<()> {
    let test = tests::test_set(DatasetName::Mnist);
    let dir = tests::target_dir().join("own-images");
    let _ = std::fs::remove_dir_all(&dir);
    // A folder of PNGs named by label, and loose JPEGs on white paper.
    let mut files = Vec::new();
    for (k, i) in (0..40).map(|k| (k, k * 97 + 11)).collect::<Vec<_>>() {
        let pixels = test.image(i).ok_or("short test set")?;
        let label = test.labels()[i];
        let path = if k % 2 == 0 {
            dir.join(format!("digits/{label}/test{i}.png"))
        } else {
            dir.join(format!("loose/test{i}.jpg"))
        };
        std::fs::create_dir_all(path.parent().ok_or("no folder")?)?;
        write_image(&path, pixels, k % 2 == 1)?;
        files.push((i, path));
    }
    std::fs::write(dir.join("loose/notes.txt"), "not an image")?;
    let png = std::fs::read(&files[0].1)?;
    std::fs::write(dir.join("loose/broken.png"), &png[..png.len() / 2])?;
    assert_eq!(PIXELS, 784);

    let page = Page::launch("?backend=cpu").await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(60).await?;
    // The loose files, a text file and a broken PNG with them.
    let mut loose: Vec<String> = files
        .iter()
        .filter(|(_, p)| p.extension().is_some_and(|e| e == "jpg"))
        .map(|(_, p)| p.display().to_string())
        .collect();
    loose.push(dir.join("loose/notes.txt").display().to_string());
    loose.push(dir.join("loose/broken.png").display().to_string());
    page.upload_many("file-input", &loose.join("\n")).await?;
    let status = page
        .wait_for(
            "(t => t.includes('20 images') && t)(document.querySelector('[data-testid=status]').textContent)",
            20,
            "the JPEGs loaded",
        )
        .await?;
    let status = status.as_str().unwrap_or_default().to_string();
    println!("{status}");
    assert!(status.contains("notes.txt (a text file"), "the text file was not refused by name: {status}");
    assert!(status.contains("broken.png (not a PNG"), "the broken PNG was not refused by name: {status}");
    check_positions(&page, &test, 20).await?;
    // The folder: labels from the folder names.
    page.js("document.querySelector('[data-testid=file-input]').value = ''; window.lsxOldUploads = Array.from(window.lsxMap.uploads).join(); return 1;").await?;
    page.upload("folder-input", &dir.join("digits")).await?;
    page.wait_for(
        "Array.from(window.lsxMap.uploads).join() !== window.lsxOldUploads",
        30,
        "the folder's images on the map",
    )
    .await?;
    let status = page
        .wait_for(
            "(t => t.includes('20 images (20 labelled)') && t)(document.querySelector('[data-testid=status]').textContent)",
            20,
            "the folder loaded",
        )
        .await?;
    println!("{}", status.as_str().unwrap_or_default());
    let names = page.js("return window.lsxUploadNames;").await?;
    for n in names.as_array().cloned().unwrap_or_default() {
        let n = n.as_str().unwrap_or_default();
        let i = test_index(n)?;
        assert!(n.contains(&format!("/{}/", test.labels()[i])), "{n} is not in its label's folder");
    }
    check_positions(&page, &test, 20).await?;
    // The first images as the model saw them, over the AE's reconstructions of them.
    page.wait_for(
        "document.querySelector('[data-testid=upload-recons]').height === 2 * 30 - 2",
        30,
        "the uploads' reconstructions",
    )
    .await?;
    let [pixels, ink, ..] = page.canvas_stats("upload-recons").await?;
    assert!(ink > 0.05 * pixels, "the uploads' reconstructions are blank ({ink} of {pixels} pixels inked)");
    page.finish().await
}

/// The test image an uploaded file was written from (`…/test<i>.png`).
fn test_index(name: &str) -> Result<usize> {
    let i = name.rsplit("test").next().and_then(|s| s.split('.').next()).and_then(|s| s.parse().ok());
    Ok(i.ok_or_else(|| format!("{name}: not a test image's file"))?)
}

/// Each uploaded image lands near its own test image on the map: closer than 95 % of the test points
/// are to that test image.
async fn check_positions(page: &Page, test: &model::Dataset, count: usize) -> Result<()> {
    page.wait_for(&format!("window.lsxMap.uploads.length === {}", 2 * count), 30, "the uploads on the map")
        .await?;
    let names = page.js("return window.lsxUploadNames;").await?;
    let points = floats_f32(&page.js("return Array.from(window.lsxMap.points);").await?);
    let uploads = floats_f32(&page.js("return Array.from(window.lsxMap.uploads);").await?);
    let names = names.as_array().cloned().unwrap_or_default();
    assert_eq!(names.len(), count);
    let dist = |a: &[f32], b: &[f32]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    let mut worst: f32 = 0.0;
    let (mut ranks, mut far): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for (k, n) in names.iter().enumerate() {
        let n = n.as_str().unwrap_or_default();
        let i = test_index(n)?;
        let own = &points[2 * i..2 * i + 2];
        let up = &uploads[2 * k..2 * k + 2];
        let d = dist(own, up);
        let mut others: Vec<f32> = points.chunks_exact(2).map(|p| dist(p, own)).collect();
        others.sort_by(f32::total_cmp);
        let rank = others.partition_point(|&o| o < d) as f32 / others.len() as f32;
        worst = worst.max(rank);
        ranks.push(format!("{:.1}", 100.0 * rank));
        if rank >= 0.05 {
            far.push(format!(
                "{n} (test image {i}, a {}) landed {d:.2} from its own point: {:.0} % of the map is nearer",
                test.labels()[i],
                100.0 * rank
            ));
        }
    }
    println!("% of the map nearer to each test image than its upload: {}", ranks.join(" "));
    assert!(far.is_empty(), "{far:?}");
    println!(
        "{count} images: each within the nearest {:.1} % of the map to its own test image",
        100.0 * worst
    );
    Ok(())
}
