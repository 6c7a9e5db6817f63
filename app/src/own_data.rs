//! What comes with an opened model: the user's images at the model's own size (any size, grey or
//! RGB, stretched to its input by the browser's canvas, labelled from their folder or file names),
//! or, for a decoder alone, a TSV or CSV of codes with an optional metadata file of labels (the
//! Embedding Projector's format).

use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// The most classes coloured on the map (its palette's).
const MAX_CLASSES: usize = 10;

/// Images (or codes) and their labels, and the classes the labels name.
#[derive(Debug)]
pub struct OwnSet {
    pub values: Vec<u8>,
    pub codes: Vec<f32>,
    pub labels: Vec<u8>,
    pub classes: Vec<String>,
    pub count: usize,
    pub refused: Vec<String>,
}

/// An image's class: its folder, else its file name without the number (`circle-007.png`: circle).
fn class_of(path: &str) -> String {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [.., folder, _] => folder.to_string(),
        [.., file] => {
            let stem = file.rsplit_once('.').map_or(*file, |(s, _)| s);
            stem.trim_end_matches(|c: char| c.is_ascii_digit() || "-_ ".contains(c)).to_string()
        }
        [] => String::new(),
    }
}

/// Labels for `names` (one per item): their distinct values in sorted order when there are at most
/// ten of them and more than one, else none.
fn labels_of(names: &[String]) -> (Vec<u8>, Vec<String>) {
    let mut classes: Vec<String> = names.to_vec();
    classes.sort();
    classes.dedup();
    if classes.len() < 2 || classes.len() > MAX_CLASSES {
        return (vec![0; names.len()], Vec::new());
    }
    let labels = names.iter().map(|n| classes.iter().position(|c| c == n).unwrap_or(0) as u8).collect();
    (labels, classes)
}

/// The image files among `files` at `w × h` with `c` channels (1: grey by luminance, 3: RGB).
pub async fn images(files: &[File], (w, h, c): (usize, usize, usize)) -> OwnSet {
    let (mut values, mut names, mut refused) = (Vec::new(), Vec::new(), Vec::new());
    for file in files {
        match crate::images::rgba_of(file, |_, _| (w as u32, h as u32)).await.map(|(rgba, _, _)| rgba) {
            Ok(rgba) => {
                for px in rgba.chunks_exact(4) {
                    match c {
                        1 => values.push(
                            (0.299 * f32::from(px[0]) + 0.587 * f32::from(px[1]) + 0.114 * f32::from(px[2]))
                                .round() as u8,
                        ),
                        _ => values.extend(&px[..3]),
                    }
                }
                names.push(class_of(&crate::images::path_of(file)));
            }
            Err(why) => refused.push(format!("{} ({why})", file.name())),
        }
    }
    let (labels, classes) = labels_of(&names);
    OwnSet { values, codes: Vec::new(), labels, classes, count: names.len(), refused }
}

async fn text_of(file: &File) -> Result<String, String> {
    let text = JsFuture::from(file.text()).await.map_err(|_| format!("{} could not be read", file.name()))?;
    text.as_string().ok_or_else(|| format!("{} is not text", file.name()))
}

/// The numbers of one line (tab, comma or space separated), or None if one is not a number.
fn numbers(line: &str) -> Option<Vec<f32>> {
    line.split(['\t', ',', ' ']).filter(|s| !s.is_empty()).map(|s| s.parse::<f32>().ok()).collect()
}

/// Codes from a TSV or CSV (a row per code; a header row is skipped) and labels from a metadata
/// file (the Embedding Projector's: one label a row, under a header when it has one). `known`: the
/// dataset's class names, used when the labels are those.
pub fn codes(codes_text: &str, meta_text: Option<&str>, known: &[&str]) -> Result<OwnSet, String> {
    let mut rows = codes_text.lines().map(str::trim).filter(|l| !l.is_empty()).peekable();
    if rows.peek().is_some_and(|l| numbers(l).is_none()) {
        rows.next();
    }
    let (mut codes, mut dim) = (Vec::new(), 0);
    for (i, line) in rows.enumerate() {
        let row = numbers(line).ok_or_else(|| format!("row {} is not numbers: {line:.40}", i + 1))?;
        if row.iter().any(|v| !v.is_finite()) {
            return Err(format!("row {} has a value that is not a finite number", i + 1));
        }
        if i == 0 {
            dim = row.len();
        } else if row.len() != dim {
            return Err(format!("row {} has {} numbers, the first row {dim}", i + 1, row.len()));
        }
        codes.extend(row);
    }
    let count = codes.len().checked_div(dim).unwrap_or(0);
    if count == 0 {
        return Err("it holds no codes".into());
    }
    let (labels, classes) = match meta_text {
        Some(meta) => {
            let mut names: Vec<String> =
                meta.lines().map(|l| l.split('\t').next().unwrap_or("").trim().to_string()).collect();
            while names.last().is_some_and(String::is_empty) {
                names.pop();
            }
            if names.len() == count + 1 {
                names.remove(0);
            }
            if names.len() != count {
                return Err(format!("the metadata has {} labels for {count} codes", names.len()));
            }
            let in_known = |n: &String| known.iter().position(|k| k.eq_ignore_ascii_case(n));
            match names.iter().map(in_known).collect::<Option<Vec<usize>>>() {
                Some(ix) => {
                    (ix.iter().map(|&i| i as u8).collect(), known.iter().map(|k| k.to_string()).collect())
                }
                None => labels_of(&names),
            }
        }
        None => (vec![0; count], Vec::new()),
    };
    Ok(OwnSet { values: Vec::new(), codes, labels, classes, count, refused: Vec::new() })
}

/// Reads a codes file and its optional metadata file.
pub async fn codes_of(files: &[File], known: &[&str]) -> Result<OwnSet, String> {
    let is_meta =
        |f: &&File| f.name().to_lowercase().contains("meta") || f.name().to_lowercase().contains("label");
    let meta = files.iter().find(is_meta);
    let Some(codes_file) = files.iter().find(|f| !is_meta(f)) else {
        return Err("a metadata file without its codes".into());
    };
    let text = text_of(codes_file).await?;
    let meta_text = match meta {
        Some(m) => Some(text_of(m).await?),
        None => None,
    };
    codes(&text, meta_text.as_deref(), known).map_err(|e| format!("{}: {e}", codes_file.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_come_from_folders_or_file_names() {
        assert_eq!(class_of("sprites/circle/007.png"), "circle");
        assert_eq!(class_of("circle-007.png"), "circle");
        assert_eq!(class_of("square_12.jpg"), "square");
        let names: Vec<String> = ["b", "a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(labels_of(&names), (vec![1, 0, 1, 2], vec!["a".into(), "b".into(), "c".into()]));
        let many: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        assert_eq!(labels_of(&many).1.len(), 0, "more than ten classes: unlabelled");
    }

    #[test]
    fn codes_and_metadata_are_read_as_the_embedding_projector_writes_them() {
        let set =
            codes("1.5\t-2\n0\t3e-1\n", Some("label\nPullover\nBag\n"), &["T-shirt/top", "Pullover", "Bag"])
                .expect("codes");
        assert_eq!((set.count, set.codes, set.labels), (2, vec![1.5, -2.0, 0.0, 0.3], vec![1, 2]));
        let own = codes("x,y\n1,2\n3,4\n5,6\n", Some("cat\ndog\ncat\n"), &[]).expect("csv");
        assert_eq!((own.labels, own.classes), (vec![0, 1, 0], vec!["cat".to_string(), "dog".to_string()]));
        assert!(codes("1\t2\n3\n", None, &[]).expect_err("a short row").contains("row 2"));
        assert!(codes("1\tNaN\n", None, &[]).is_err());
        assert!(codes("", None, &[]).is_err());
        assert!(
            codes("1\t2\n", Some("a\nb\nc\nd\n"), &[]).expect_err("too many labels").contains("4 labels")
        );
    }
}
