//! The pack's Rust files are `include!`d or compiled by the tool, so
//! `cargo fmt` never reaches them: this keeps them formatted as if it did.
//! Drivers and glue are compiled as edition 2021 crates, judges as 2024.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The exercise folders: the built-in pack's and the `pack new` template.
fn exercise_folders() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root.join("pack"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.join("exercise.toml").is_file())
        .collect();
    folders.sort();
    folders.push(root.join("src/pack/template/exercise"));
    folders
}

#[test]
fn pack_drivers_glue_and_judges_are_rustfmt_clean() {
    let folders = exercise_folders();
    assert!(folders.len() >= 7, "{folders:?}");
    let mut unformatted = Vec::new();
    for folder in &folders {
        for (file, edition) in [
            ("driver.rs", "2021"),
            ("glue.rs", "2021"),
            ("judge.rs", "2024"),
        ] {
            let path = folder.join(file);
            // rustfmt follows the judge's `mod` declarations into judge/.
            let out = Command::new("rustfmt")
                .args(["--check", "--edition", edition])
                .arg(&path)
                .output()
                .expect("rustfmt runs (it comes with the toolchain)");
            if !out.status.success() {
                unformatted.push(format!(
                    "{}:\n{}",
                    path.display(),
                    String::from_utf8_lossy(&out.stdout)
                ));
            }
        }
    }
    assert!(
        unformatted.is_empty(),
        "run `rustfmt --edition 2021` on drivers and glue, `--edition 2024` on judges:\n{}",
        unformatted.join("\n")
    );
}
