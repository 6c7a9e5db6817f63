#![cfg(not(target_arch = "wasm32"))]
//! The shipped datasets are the real files: their SHA-256 match `assets/data/SHA256SUMS`, and they
//! parse to the known counts and first labels.

mod common;

use model::DatasetName;
use sha2::{Digest, Sha256};

#[test]
fn shipped_files_match_their_checksums() {
    let sums = std::fs::read_to_string(common::asset("SHA256SUMS")).expect("SHA256SUMS present");
    let mut checked = 0;
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (want, file) = line.split_once("  ").expect("`<hash>  <file>` lines");
        let bytes = std::fs::read(common::asset(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let got: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(got, want, "{file} does not match SHA256SUMS");
        checked += 1;
    }
    assert_eq!(checked, 8, "four files per dataset");
}

#[test]
fn real_datasets_parse_with_known_facts() {
    let train = common::load(DatasetName::Mnist, true);
    let test = common::load(DatasetName::Mnist, false);
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    assert_eq!(&train.labels()[..5], &[5, 0, 4, 1, 9]);
    assert_eq!(&test.labels()[..5], &[7, 2, 1, 0, 4]);
    let mean = train.floats(0..1000).iter().sum::<f32>() / (1000.0 * 784.0);
    assert!((mean - 0.1307).abs() < 0.01, "MNIST pixel mean {mean}");
    let fashion = common::load(DatasetName::FashionMnist, true);
    assert_eq!(fashion.labels()[0], 9, "first Fashion-MNIST label is an ankle boot");
    let per_class = (0..10).map(|c| fashion.labels().iter().filter(|&&l| l == c).count()).collect::<Vec<_>>();
    assert_eq!(per_class, vec![6000; 10]);
}
