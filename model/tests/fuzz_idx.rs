#![cfg(not(target_arch = "wasm32"))]
//! Property test: no byte string makes the IDX parser panic. 10,000+ cases of random bytes and of
//! valid files with mutated headers, truncations and flipped bytes (gzip'd and raw).

use flate2::Compression;
use flate2::write::GzEncoder;
use model::Dataset;
use proptest::prelude::*;
use std::io::Write;

fn valid_images(n: u32) -> Vec<u8> {
    let mut v = 0x0803u32.to_be_bytes().to_vec();
    [n, 28, 28].iter().for_each(|d| v.extend(d.to_be_bytes()));
    v.extend((0..n * 784).map(|i| (i % 251) as u8));
    v
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// A valid file, then edits: (position, new byte) pairs, an optional truncation, optional gzip.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        1u32..4,
        prop::collection::vec((0usize..2400, any::<u8>()), 0..6),
        prop::option::of(0usize..2400),
        any::<bool>(),
    )
        .prop_map(|(n, edits, cut, gz)| {
            let mut v = valid_images(n);
            let len = v.len();
            for (pos, byte) in edits {
                // Bias half of the edits into the 16-byte header, where the interesting failures are.
                let i = if pos % 2 == 0 { pos % 16 } else { pos % len };
                v[i] = byte;
            }
            if let Some(c) = cut {
                v.truncate(c % (len + 1));
            }
            if gz { gzip(&v) } else { v }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Dataset::from_idx(&bytes, Some(&bytes));
        let mut gz = vec![0x1f, 0x8b];
        gz.extend(&bytes);
        let _ = Dataset::from_idx(&gz, None);
    }

    #[test]
    fn mutated_files_never_panic(images in mutated(), labels in mutated()) {
        let _ = Dataset::from_idx(&images, Some(&labels));
        let _ = model::data::parse_labels(&labels);
    }
}
