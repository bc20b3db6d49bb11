//! Runs every fuzz target over its committed corpus (`corpus/<target>/`, and `regressions/<target>/`
//! where crash inputs are kept once fixed) and over a few thousand pseudo-random inputs, without
//! libFuzzer: `cargo test --manifest-path fuzz/Cargo.toml`. Every failing input is reported, not
//! only the first.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use cyzen_senselink_fuzz::targets::TARGETS;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    files.sort();
    files
}

fn run(target: fn(&[u8]), data: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| target(data))).map_err(|panic| {
        panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
    })
}

#[test]
fn committed_corpus_and_regressions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, target) in TARGETS {
        let seeds = inputs(&root.join("corpus").join(name));
        assert!(!seeds.is_empty(), "no seeds for {name}");
        for file in seeds.iter().chain(inputs(&root.join("regressions").join(name)).iter()) {
            count += 1;
            let data = fs::read(file).unwrap();
            if let Err(message) = run(*target, &data) {
                failures.push(format!("{name} {}: {message}", file.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {count} inputs failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn pseudo_random_inputs() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut failures = Vec::new();
    for (name, target) in TARGETS {
        for _ in 0..300 {
            let len = (next() % 600) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Err(message) = run(*target, &data) {
                failures.push(format!("{name} {data:?}: {message}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} inputs failed:\n{}", failures.len(), failures.join("\n"));
}
