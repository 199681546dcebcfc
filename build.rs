//! Derives the registries from the tree, so none is kept by hand:
//! - `builtin_pack.rs`: the built-in pack (`pack/pack.toml` and one folder
//!   per exercise), its files embedded and its judges compiled in;
//! - `harness_files.rs`: every source file of the check harness;
//! - `judge_files.rs`, `lincheck_files.rs`: the sources of the contract
//!   crate and the checker it uses, embedded so that a teacher's pack's
//!   judge can be built without the tool's sources;
//! - `corpus_tests.rs`: one test per corpus file, for `tests/corpus.rs`;
//! - `lesson_snippets.rs`: every lesson file, doc-tested (`src/course.rs`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    for watched in [
        "build.rs",
        "pack",
        "harness/src",
        "harness/Cargo.toml",
        "judge/src",
        "judge/Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={watched}");
    }
    let ids = pack_exercises(&root.join("pack/pack.toml"));
    write(&out.join("builtin_pack.rs"), &builtin_pack(&root, &ids));
    write(
        &out.join("harness_files.rs"),
        &embedded_crate(&root.join("harness")),
    );
    write(
        &out.join("judge_files.rs"),
        &embedded_crate(&root.join("judge")),
    );
    write(
        &out.join("lincheck_files.rs"),
        &embedded_crate(&root.join("lincheck")),
    );
    write(&out.join("corpus_tests.rs"), &corpus_tests(&root, &ids));
    write(
        &out.join("lesson_snippets.rs"),
        &lesson_snippets(&root.join("lessons")),
    );
}

fn write(path: &Path, text: &str) {
    // Unchanged text keeps its mtime, so nothing downstream rebuilds.
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn pack_exercises(pack_toml: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(pack_toml)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", pack_toml.display()));
    let value: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", pack_toml.display()));
    value
        .get("pack")
        .and_then(|p| p.get("exercises"))
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| {
            panic!(
                "{} needs `exercises = [...]` in its [pack] table",
                pack_toml.display()
            )
        })
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{}: exercise ids are strings", pack_toml.display()))
                .to_string()
        })
        .collect()
}

fn lit(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

fn builtin_pack(root: &Path, ids: &[String]) -> String {
    let pack = root.join("pack");
    let mut s = format!(
        "/// `pack/pack.toml`.\npub const PACK_TOML: &str = include_str!({});\n\n",
        lit(&pack.join("pack.toml"))
    );
    for id in ids {
        let module = id.replace('-', "_");
        let _ = writeln!(
            s,
            "/// The judge of `{id}`.\n#[path = {}]\npub mod {module};",
            lit(&pack.join(id).join("judge.rs"))
        );
    }
    s.push_str("\n/// Every exercise of the built-in pack, in course order.\npub const EXERCISES: &[BuiltinExercise] = &[\n");
    for id in ids {
        let module = id.replace('-', "_");
        let dir = pack.join(id);
        let file = |name: &str| {
            let path = dir.join(name);
            assert!(
                path.is_file(),
                "pack/{id}/{name} is missing (every exercise folder needs it)"
            );
            format!("include_str!({})", lit(&path))
        };
        let quiz = if dir.join("quiz.toml").is_file() {
            format!("Some({})", file("quiz.toml"))
        } else {
            "None".to_string()
        };
        let _ = writeln!(
            s,
            "    BuiltinExercise {{\n        folder: {id:?},\n        exercise_toml: {},\n        starter: {},\n        solution: {},\n        driver: {},\n        glue: {},\n        quiz: {quiz},\n        judge: {module}::judge,\n    }},",
            file("exercise.toml"),
            file("starter.rs"),
            file("solution.rs"),
            file("driver.rs"),
            file("glue.rs"),
        );
    }
    s.push_str("];\n");
    s
}

/// `&[(relative path, include_str!(..))]` of a crate's sources: every
/// `Cargo.toml` and every `.rs` file under a `src/` folder, nested crates
/// (such as `harness/channel/`) included; `target/` and `tests/` are not
/// sources of the library. Sorted.
fn embedded_crate(dir: &Path) -> String {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        let entries =
            std::fs::read_dir(&at).unwrap_or_else(|e| panic!("cannot list {}: {e}", at.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(dir).expect("under dir").to_path_buf();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != "tests" && name != "benches" {
                    stack.push(path);
                }
            } else if name == "Cargo.toml"
                || (path.extension().is_some_and(|e| e == "rs")
                    && rel.components().any(|c| c.as_os_str() == "src"))
            {
                files.push(rel);
            }
        }
    }
    files.sort();
    let mut s = String::from("&[\n");
    for rel in files {
        let _ = writeln!(
            s,
            "    ({:?}, include_str!({})),",
            rel.display().to_string(),
            lit(&dir.join(&rel))
        );
    }
    s.push(']');
    s
}

/// `buggy! { .. }` and `correct! { .. }` over every corpus file and every
/// reference solution; paths are relative to `pack/`.
fn corpus_tests(root: &Path, ids: &[String]) -> String {
    let mut buggy = String::from("buggy! {\n");
    let mut correct = String::from("correct! {\n");
    for id in ids {
        let module = id.replace('-', "_");
        let _ = writeln!(
            correct,
            "    {module}_reference: {id:?}, \"{id}/solution.rs\";"
        );
        for (kind, list) in [("buggy", &mut buggy), ("correct", &mut correct)] {
            let dir = root.join("pack").join(id).join("corpus").join(kind);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".rs"))
                .collect();
            names.sort();
            for name in names {
                let stem = name.trim_end_matches(".rs");
                let _ = writeln!(
                    list,
                    "    {module}_{kind}_{stem}: {id:?}, \"{id}/corpus/{kind}/{name}\";"
                );
            }
        }
    }
    buggy.push_str("}\n");
    correct.push_str("}\n");
    buggy + &correct
}

/// The doc-test module over every `lessons/*.md` and the list of them.
fn lesson_snippets(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    names.sort();
    let mut s = String::from(
        "/// Each lesson as the documentation of an empty item.\n#[cfg(doctest)]\n#[allow(dead_code)]\nmod lesson_snippets {\n",
    );
    for (i, name) in names.iter().enumerate() {
        let _ = writeln!(
            s,
            "    #[doc = include_str!({})]\n    struct Lesson{i};",
            lit(&dir.join(name))
        );
    }
    s.push_str("}\n\n/// The lesson files whose snippets are doc-tested.\n#[cfg(test)]\nconst SNIPPET_FILES: &[&str] = &[\n");
    for name in &names {
        let _ = writeln!(s, "    {name:?},");
    }
    s.push_str("];\n");
    s
}
