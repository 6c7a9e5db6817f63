//! Models made elsewhere, through the page's own file input: the PyTorch conv VAE on Fashion-MNIST
//! (`tests/fixtures/onnx`, made by `scripts/onnx_fixtures.py`) maps the 10,000 test images as PyTorch
//! does and decodes a clicked point as PyTorch does; broken and mismatched files are refused with
//! their reason and the model shown keeps decoding.

use std::path::{Path, PathBuf};

use model::DatasetName;
use tests::{Page, Result, floats_f32, root};

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/onnx")
}

fn f32s(path: &Path) -> Result<Vec<f32>> {
    let bytes = std::fs::read(path)?;
    Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
}

/// Leave-one-out 5-NN label accuracy of 2-D points (as the fixture script computes PyTorch's).
fn knn5(points: &[f32], labels: &[u8]) -> f64 {
    let n = labels.len();
    let hits = (0..n)
        .filter(|&i| {
            let mut d: Vec<(f32, u8)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    let (dx, dy) = (points[2 * i] - points[2 * j], points[2 * i + 1] - points[2 * j + 1]);
                    (dx * dx + dy * dy, labels[j])
                })
                .collect();
            d.select_nth_unstable_by(4, |a, b| a.0.total_cmp(&b.0));
            let mut votes = [0usize; 10];
            d[..5].iter().for_each(|&(_, l)| votes[usize::from(l)] += 1);
            let best = (0..10).max_by_key(|&l| (votes[l], std::cmp::Reverse(l))).unwrap_or(0);
            best == usize::from(labels[i])
        })
        .count();
    hits as f64 / n as f64
}

/// Clicks test point `i` of the first map and returns the decode's map point and image.
async fn click_point(page: &Page, i: usize) -> Result<(Vec<f32>, Vec<f32>)> {
    let p = page.point_at(i).await?;
    page.decodes(p[0], p[1]).await?;
    let z = floats_f32(&page.js("return Array.from(window.lsxDecoded.z);").await?);
    let img = floats_f32(&page.js("return Array.from(window.lsxDecoded.pixels);").await?);
    Ok((z, img))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pytorch_vae_maps_and_decodes_fashion_mnist_as_pytorch_does() -> Result<()> {
    let dir = fixtures();
    let (enc, dec) = (dir.join("fashion-vae-encoder.onnx"), dir.join("fashion-vae-decoder.onnx"));
    let mu = f32s(&dir.join("fashion-vae-mu.f32"))?;
    let reference = f32s(&dir.join("fashion-vae-decodes.f32"))?;
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("fashion-vae.json"))?)?;
    let labels = tests::test_set(DatasetName::FashionMnist).labels().to_vec();

    let page = Page::launch("?backend=cpu&dataset=fashion-mnist").await?;
    page.set_viewport(1024, 768).await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(90).await?;
    let t0 = page.now().await?;
    let said = page.open_onnx_and_map(&[&enc, &dec], 10_000).await?;
    println!("the page said: {said}");
    assert!(said.contains("Exploring") && said.contains("NCHW") && said.contains("log σ²"), "{said}");
    let ms = page.now().await? - t0;
    let points = floats_f32(&page.js("return Array.from(window.lsxMap.points);").await?);
    let worst = points.iter().zip(&mu).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!(
        "ONNX VAE in the page: 10,000 codes in {ms:.0} ms from the files chosen; max |page − PyTorch| {worst:.2e}"
    );
    assert_eq!(points.len(), mu.len());
    assert!(worst <= 1e-4, "the page's codes differ from PyTorch's by up to {worst}");
    let page_knn = knn5(&points, &labels);
    let torch_knn = meta["knn5"].as_f64().unwrap_or(f64::NAN);
    let caption = page.text("map-info-0").await.unwrap_or_default();
    println!(
        "k-NN(5) of the 10,000 codes: page {page_knn:.4}, PyTorch {torch_knn:.4} (the page's caption: {caption})"
    );
    assert!((page_knn - torch_knn).abs() < 0.005, "k-NN(5) {page_knn} against PyTorch's {torch_knn}");
    let title = page.js("return document.querySelector('.latent h2').textContent;").await?;
    assert!(title.as_str().is_some_and(|t| t.contains("fashion-vae")), "map title {title}");

    // Clicks on test points 0..7 decode their μ; PyTorch decoded the same codes.
    let mut matched = 0;
    for i in 0..8 {
        let (z, img) = click_point(&page, i).await?;
        let near = |j: usize| (z[0] - mu[2 * j]).abs().max((z[1] - mu[2 * j + 1]).abs());
        let Some(j) = (0..8).find(|&j| near(j) < 1e-4) else {
            println!("click on point {i} took another point at {z:?}");
            continue;
        };
        let diff = img
            .iter()
            .zip(&reference[j * 784..(j + 1) * 784])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        println!(
            "decode at test image {j}'s μ (clicked {:.1e} from it): max |page − PyTorch| per pixel {diff:.2e}",
            near(j)
        );
        assert_eq!(img.len(), 784);
        assert!(diff <= 1e-3, "decode of μ{j} differs by {diff}");
        matched += 1;
    }
    assert!(matched >= 6, "only {matched} of 8 clicks hit their reference point");
    page.screenshot("own-model-fashion-vae-1024x768").await?;
    page.set_viewport(390, 844).await?;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    page.screenshot("own-model-fashion-vae-390x844").await?;
    page.finish().await
}

/// ≥ 200 broken files and pairs: truncated models (80 cuts of each), garbage, other files named .onnx, the broken
/// models of `fixtures/onnx/bad`, mismatched pairs and a 500 MB file.
fn bad_cases(tmp: &Path) -> Result<Vec<(String, Vec<PathBuf>)>> {
    let dir = fixtures();
    let (enc, dec) = (dir.join("fashion-vae-encoder.onnx"), dir.join("fashion-vae-decoder.onnx"));
    let (senc, sdec) = (dir.join("sprites-ae-encoder.onnx"), dir.join("sprites-ae-decoder.onnx"));
    let mut cases = Vec::new();
    let write = |name: &str, bytes: &[u8]| -> Result<PathBuf> {
        let p = tmp.join(name);
        std::fs::write(&p, bytes)?;
        Ok(p)
    };
    let good_enc = std::fs::read(&enc)?;
    let good_dec = std::fs::read(&dec)?;
    // Truncations of each, at 60 lengths spread over the file.
    for (which, bytes) in [("encoder", &good_enc), ("decoder", &good_dec)] {
        for k in 0..80 {
            let len = (bytes.len() as u64 * (2 * k + 1) / 161) as usize;
            let p = write(&format!("cut{k}-{which}.onnx"), &bytes[..len])?;
            let pair = if which == "encoder" { vec![p, dec.clone()] } else { vec![enc.clone(), p] };
            cases.push((format!("{which} cut to {len} bytes"), pair));
        }
    }
    // Garbage and other files named .onnx.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for k in 0..40 {
        let bytes: Vec<u8> = (0..(1000 + 997 * k))
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let p = write(&format!("noise{k}-decoder.onnx"), &bytes)?;
        cases.push((format!("{} random bytes as the decoder", bytes.len()), vec![enc.clone(), p]));
    }
    let png = root().join("tests/fixtures/sprites/circle/000.png");
    cases.push((
        "a PNG as the encoder".into(),
        vec![write("png-encoder.onnx", &std::fs::read(png)?)?, dec.clone()],
    ));
    let tsv = dir.join("fashion-vae-codes.tsv");
    cases.push((
        "a TSV as the decoder".into(),
        vec![enc.clone(), write("tsv-decoder.onnx", &std::fs::read(tsv)?)?],
    ));
    cases.push(("an empty decoder".into(), vec![enc.clone(), write("empty-decoder.onnx", b"")?]));
    // The broken models, each with a good partner.
    for entry in std::fs::read_dir(dir.join("bad"))? {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        if !name.ends_with(".onnx") || name.starts_with("dense") {
            continue;
        }
        let pair = if name.contains("decoder") { vec![enc.clone(), p] } else { vec![p, dec.clone()] };
        cases.push((format!("fixtures/onnx/bad/{name}"), pair));
    }
    // Mismatched pairs.
    cases.push(("sprites encoder, Fashion decoder".into(), vec![senc, dec.clone()]));
    cases.push(("Fashion encoder, sprites decoder".into(), vec![enc.clone(), sdec]));
    cases.push((
        "raw floats as the decoder".into(),
        vec![enc.clone(), write("codes-decoder.onnx", &std::fs::read(dir.join("fashion-vae-mu.f32"))?)?],
    ));
    cases.push(("two encoders".into(), vec![enc.clone(), write("other-decoder.onnx", &good_enc)?]));
    cases.push(("two decoders".into(), vec![write("other-encoder.onnx", &good_dec)?, dec.clone()]));
    cases.push((
        "names that do not say which is which".into(),
        vec![write("a.onnx", &good_enc)?, write("b.onnx", &good_dec)?],
    ));
    // 500 MB (sparse on disk): refused by its size before it is read.
    let big = tmp.join("huge-decoder.onnx");
    std::fs::File::create(&big)?.set_len(500 << 20)?;
    cases.push(("a 500 MB decoder".into(), vec![enc, big]));
    Ok(cases)
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_and_mismatched_models_are_refused_and_the_model_shown_keeps_decoding() -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("lsx-bad-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let cases = bad_cases(&tmp)?;
    assert!(cases.len() >= 200, "{} cases", cases.len());
    let page = Page::launch("?backend=cpu&dataset=fashion-mnist").await?;
    page.set_viewport(1024, 768).await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(90).await?;
    let dir = fixtures();
    let said = page
        .open_onnx_and_map(
            &[&dir.join("fashion-vae-encoder.onnx"), &dir.join("fashion-vae-decoder.onnx")],
            10_000,
        )
        .await?;
    assert!(said.contains("Exploring"), "{said}");
    let mut reasons = std::collections::BTreeMap::<String, usize>::new();
    for (what, files) in &cases {
        let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let said = page.open_onnx(&refs).await?;
        assert!(!said.contains("Exploring"), "{what} was opened: {said}");
        assert!(said.contains("not opened") || said.contains("Nothing was changed"), "{what}: {said}");
        let reason = said.split(" was not opened: ").nth(1).unwrap_or(&said);
        let key: String = reason.chars().take(60).collect();
        *reasons.entry(key).or_default() += 1;
    }
    println!("{} broken files and pairs refused; their reasons:", cases.len());
    for (r, n) in &reasons {
        println!("  {n:4} × {r}");
    }
    let errors = page.errors().await?;
    assert!(errors.iter().all(|e| !e.contains("panicked")), "a panic: {errors:?}");
    // The model shown still decodes, and it is still the VAE opened first.
    let title = page.js("return document.querySelector('.latent h2').textContent;").await?;
    assert!(title.as_str().is_some_and(|t| t.contains("fashion-vae")), "map title {title}");
    let n = page.js("return (window.lsxDecodeMs || []).length;").await?.as_u64().unwrap_or(0);
    page.click_at("latent-plot", 200.0, 200.0).await?;
    page.wait_for(&format!("(window.lsxDecodeMs || []).length > {n}"), 20, "a decode after the bad files")
        .await?;
    std::fs::remove_dir_all(&tmp)?;
    page.finish().await
}

/// Share of a canvas's pixels in colour (channels apart by more than 40), and its width.
async fn colour_share(page: &Page, id: &str) -> Result<(f64, f64)> {
    let v = page
        .js(&format!(
            "const c = document.querySelector('[data-testid={id}]'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
             let k = 0; for (let i = 0; i < d.length; i += 4) {{ const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
               if (Math.max(Math.abs(r - g), Math.abs(g - b), Math.abs(r - b)) > 40) k++; }}
             return [k / (d.length / 4), c.width];"
        ))
        .await?;
    let f = |i: usize| v[i].as_f64().unwrap_or(0.0);
    Ok((f(0), f(1)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_colour_model_maps_its_own_images_decodes_in_colour_and_a_decoder_alone_maps_codes() -> Result<()> {
    let dir = fixtures();
    // The 300 sprites, named by their shape (a file input has no folders; a folder picker gives them).
    let tmp = std::env::temp_dir().join(format!("lsx-sprites-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("sprites-ae.json"))?)?;
    let mut files = vec![dir.join("sprites-ae-encoder.onnx"), dir.join("sprites-ae-decoder.onnx")];
    // In PyTorch's order (its codes and decodes are of the images in this order).
    for name in meta["files"].as_array().into_iter().flatten().filter_map(serde_json::Value::as_str) {
        let to = tmp.join(name.replace('/', "-"));
        std::fs::copy(root().join("tests/fixtures/sprites").join(name), &to)?;
        files.push(to);
    }
    assert_eq!(files.len(), 302);
    let page = Page::launch("?backend=cpu").await?;
    page.set_viewport(1024, 768).await?;
    page.wait_ready().await?;
    page.wait_pretrained_map(90).await?;
    let t0 = page.now().await?;
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let said = page.open_onnx_and_map(&refs, 300).await?;
    println!("the page said: {said}");
    assert!(said.contains("Mapping your 300 32×32 colour images (circle, square, triangle)"), "{said}");
    println!("300 colour images mapped in {:.0} ms from the files chosen", page.now().await? - t0);
    let labels: Vec<u64> = page
        .js("return Array.from(window.lsxMap.labels);")
        .await?
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_u64).collect())
        .unwrap_or_default();
    assert_eq!(
        (0..3).map(|l| labels.iter().filter(|&&x| x == l).count()).collect::<Vec<_>>(),
        [100, 100, 100]
    );
    let legend = page.js("return document.querySelector('.latent').textContent;").await?;
    assert!(legend.as_str().is_some_and(|t| t.contains("triangle")), "legend {legend}");

    // A click decodes in colour, at the model's 32×32.
    let p = page.point_at(0).await?;
    page.decodes(p[0], p[1]).await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (share, width) = colour_share(&page, "decode-image").await?;
    println!(
        "the decode of a clicked sprite: {width} px wide, {:.0} % of its pixels in colour",
        100.0 * share
    );
    assert!(width == 32.0 && share > 0.05, "the decode is not a 32×32 colour image ({width}, {share})");
    // The clicked sprite's reconstruction is PyTorch's (its decodes of the first 4 images' codes).
    let torch = f32s(&dir.join("sprites-ae-decodes.f32"))?;
    let index = page.js("return window.lsxDecoded.index;").await?.as_i64().unwrap_or(-1);
    let recon = floats_f32(&page.js("return Array.from(window.lsxDecoded.recon);").await?);
    let i = usize::try_from(index).unwrap_or(usize::MAX);
    assert!(i < 4 && recon.len() == 3072, "the click took sprite {index} ({} values)", recon.len());
    let diff =
        recon.iter().zip(&torch[i * 3072..(i + 1) * 3072]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!(
        "sprite {i}'s reconstruction in the page against PyTorch's: max |difference| per value {diff:.2e}"
    );
    assert!(diff <= 1e-3, "the page reconstructs sprite {i} unlike PyTorch ({diff})");

    // The decoded manifold behind the points.
    let [n, ..] = page.canvas_stats("latent-plot").await?;
    let before = colour_share(&page, "latent-plot").await?.0;
    page.click("manifold-toggle").await?;
    // 400 decodes of the conv decoder through tract take a few seconds on one core.
    let t0 = page.now().await?;
    let mut after = before;
    for _ in 0..60 {
        after = colour_share(&page, "latent-plot").await?.0;
        if after > before + 0.1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let diag =
        page.js("return [(window.lsxDrawParts || []).slice(-2), (window.lsxSaid || []).slice(-2)];").await?;
    println!("the manifold after {:.0} ms (last redraws and messages: {diag})", page.now().await? - t0);
    println!(
        "map pixels in colour: {:.1} % with the points, {:.1} % with the manifold too ({n} pixels)",
        100.0 * before,
        100.0 * after
    );
    assert!(after > before + 0.1, "no colour manifold behind the points ({before} → {after})");

    // An interpolation between two sprites: a strip of colour decodes.
    page.click("interp-button").await?;
    for i in [0, 150] {
        let p = page.point_at(i).await?;
        page.click_at("latent-plot", p[0], p[1]).await?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    page.wait_for(
        "document.querySelector('[data-testid=interp-strip-0]').width > 32",
        20,
        "an interpolation strip",
    )
    .await?;
    page.wait_for("true", 1, "").await?;
    let (strip, strip_width) = colour_share(&page, "interp-strip-0").await?;
    println!("interpolation strip: {strip_width} px wide, {:.0} % colour", 100.0 * strip);
    assert!(strip > 0.05, "the interpolation strip is not in colour");
    page.screenshot("own-model-colour-1024x768").await?;
    for (w, h) in [(390, 844), (768, 1024), (1920, 1080)] {
        page.set_viewport(w, h).await?;
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        page.screenshot(&format!("own-model-colour-{w}x{h}")).await?;
    }
    page.set_viewport(1024, 768).await?;

    // A decoder alone, with a TSV of codes and its metadata (the Embedding Projector's files).
    let said = page
        .open_onnx(&[
            &dir.join("fashion-vae-decoder.onnx"),
            &dir.join("fashion-vae-codes.tsv"),
            &dir.join("fashion-vae-meta.tsv"),
        ])
        .await?;
    println!("the page said: {said}");
    assert!(said.contains("Mapping 1000 codes"), "{said}");
    page.wait_for("window.lsxMap && window.lsxMap.points.length === 2000", 30, "the codes' map").await?;
    let mu = f32s(&dir.join("fashion-vae-mu.f32"))?;
    let reference = f32s(&dir.join("fashion-vae-decodes.f32"))?;
    let points = floats_f32(&page.js("return Array.from(window.lsxMap.points);").await?);
    assert_eq!(points[..16], mu[..16], "the map's points are the file's codes");
    let (z, img) = click_point(&page, 0).await?;
    let near = |j: usize| (z[0] - mu[2 * j]).abs().max((z[1] - mu[2 * j + 1]).abs());
    let j = (0..8).find(|&j| near(j) < 1e-4).expect("the click took one of the first 8 codes");
    let diff =
        img.iter().zip(&reference[j * 784..(j + 1) * 784]).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    println!("decoder alone: the decode of code {j} differs from PyTorch's by {diff:.2e} per pixel at most");
    assert!(diff <= 1e-3);
    std::fs::remove_dir_all(&tmp)?;
    page.finish().await
}
