//! The user's files made into 28 × 28 images for the maps: PNG, JPEG, WebP and GIF decoded by the
//! browser (`createImageBitmap`), made grey, ink on dark and MNIST-like (`model::data::ink`: fitted
//! into 20 × 20 and centred; a 28 × 28 file, already MNIST-sized, is only centred), and
//! labelled from their folder or file names; IDX files as before. A file that cannot be used is
//! refused by name with the reason; the others load.

use model::DatasetName;
use model::data::PIXELS;
use model::data::ink::{centre_28, ink_from_rgba, label_from_path, to_mnist};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::state::Upload;

/// Images larger than this (on their long side) are scaled down before preprocessing.
const MAX_SIDE: u32 = 280;

/// What a selection of files gave: the images (None: none usable), and each refused file with why.
pub struct Loaded {
    pub upload: Option<Upload>,
    pub refused: Vec<String>,
    /// How many images got a label from their folder or file name.
    pub labelled: usize,
}

fn extension(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// The file's path in a chosen folder (`webkitRelativePath`), else its name.
pub(crate) fn path_of(file: &web_sys::File) -> String {
    js_sys::Reflect::get(file, &"webkitRelativePath".into())
        .ok()
        .and_then(|p| p.as_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| file.name())
}

/// One image file drawn by the browser at the size `size` gives for its own (width, height): its
/// RGBA pixels and that size, or why it cannot be read.
pub(crate) async fn rgba_of(
    file: &web_sys::File,
    size: impl FnOnce(u32, u32) -> (u32, u32),
) -> Result<(Vec<u8>, u32, u32), String> {
    let window = web_sys::window().ok_or("no window")?;
    let unreadable = "not a PNG, JPEG, WebP or GIF this browser can read (damaged?)";
    let promise = window.create_image_bitmap_with_blob(file).map_err(|_| unreadable)?;
    let bitmap: web_sys::ImageBitmap =
        JsFuture::from(promise).await.map_err(|_| unreadable)?.dyn_into().map_err(|_| unreadable)?;
    let (tw, th) = size(bitmap.width().max(1), bitmap.height().max(1));
    let canvas: web_sys::HtmlCanvasElement = window
        .document()
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into().ok())
        .ok_or("no canvas to decode on")?;
    canvas.set_width(tw);
    canvas.set_height(th);
    let ctx = crate::components::context2d(&canvas).ok_or("no canvas to decode on")?;
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, f64::from(tw), f64::from(th))
        .map_err(|_| unreadable)?;
    bitmap.close();
    let rgba = ctx.get_image_data(0.0, 0.0, f64::from(tw), f64::from(th)).map_err(|_| unreadable)?.data();
    Ok((rgba.to_vec(), tw, th))
}

/// One image file as an MNIST-like image (bytes), or why not.
async fn decode_image(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let (rgba, tw, th) = rgba_of(file, |w, h| {
        let scale = (f64::from(MAX_SIDE) / f64::from(w.max(h))).min(1.0);
        (((f64::from(w) * scale).round() as u32).max(1), ((f64::from(h) * scale).round() as u32).max(1))
    })
    .await?;
    let ink = ink_from_rgba(&rgba, tw as usize, th as usize);
    // An MNIST-format image (28 × 28) is already normalised: only centred; any other is fitted.
    let image = if (tw, th) == (28, 28) { centre_28(&ink) } else { to_mnist(&ink, tw as usize, th as usize) }
        .ok_or("no digit in it (the image is blank)")?;
    Ok(image.iter().map(|v| (v * 255.0).round() as u8).collect())
}

async fn bytes_of(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buf = JsFuture::from(file.array_buffer()).await.map_err(|_| "could not be read".to_string())?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Loads every file of `files` that holds images.
pub async fn load(files: Vec<web_sys::File>, dataset: DatasetName) -> Loaded {
    let classes = dataset.class_names();
    let (mut pixels, mut labels, mut names, mut refused, mut labelled) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), 0);
    let mut idx: Vec<(String, Vec<u8>)> = Vec::new();
    for file in &files {
        let (name, path) = (file.name(), path_of(file));
        let ext = extension(&name);
        let image = file.type_().starts_with("image/")
            || ["png", "jpg", "jpeg", "webp", "gif"].contains(&ext.as_str());
        let text = file.type_().starts_with("text/") || ["txt", "csv", "md", "json"].contains(&ext.as_str());
        if image {
            match decode_image(file).await {
                Ok(img) => {
                    let label = label_from_path(&path, &classes);
                    labelled += usize::from(label.is_some());
                    pixels.extend(img);
                    labels.push(label.unwrap_or(0));
                    names.push(path);
                }
                Err(why) => refused.push(format!("{name} ({why})")),
            }
        } else if text {
            refused.push(format!("{name} (a text file, not an image)"));
        } else {
            match bytes_of(file).await {
                Ok(b) => idx.push((name, b)),
                Err(why) => refused.push(format!("{name} ({why})")),
            }
        }
    }
    // IDX: the images file and, named "…label…", its labels.
    let (idx_labels, idx_images): (Vec<_>, Vec<_>) = idx.into_iter().partition(|(n, _)| n.contains("label"));
    if let Some((name, images)) = idx_images.into_iter().next() {
        let l = idx_labels.into_iter().next().map(|(_, l)| l);
        match Upload::from_idx(name.clone(), &images, l.as_deref()) {
            Ok(u) => {
                labelled += if l.is_some() { u.count } else { 0 };
                pixels.extend(u.pixels.iter());
                labels.extend(u.labels.iter());
                names.extend((0..u.count).map(|i| format!("{name}[{i}]")));
            }
            Err(why) => refused.push(why),
        }
    } else if let Some((name, _)) = idx_labels.into_iter().next() {
        refused.push(format!("{name} (labels without an images file)"));
    }
    let count = pixels.len() / PIXELS;
    let upload = (count > 0).then(|| {
        let name = if count == 1 { names[0].clone() } else { format!("{count} images") };
        Upload::new(name, pixels, labels, names)
    });
    Loaded { upload, refused, labelled }
}
