//! Compiling a learner's files before their first check is asked for
//! (`threadlings prepare`, the tutor at start): the same build a check
//! does, with the same flags, paths and keys, so the first check finds
//! rustc's incremental state for the file (an edit then compiles like a
//! warm check's) and, when the file did not change, the program itself.

use super::programs::ProgramCache;
use super::supervisor::Cancel;
use super::{Built, EngineError, build_with, exercise::Exercise};
use std::path::Path;

/// What compiling a file ahead of its first check came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ahead {
    /// Compiled now: rustc's state for the file and the program are kept.
    Compiled,
    /// Compiled before and unchanged since: its program is kept already.
    AlreadyCompiled,
    /// It does not compile (a starter mid-way, say). rustc keeps no state
    /// from a failed compile, but the state of the file's last version
    /// that compiled stays, and the next check of it only checks before
    /// it builds (as after any failed compile).
    DoesNotCompile,
    /// Cancelled before it finished.
    Cancelled,
}

/// Compiles `file` as a check of `exercise` would, keeping the program in
/// `programs` (the cache a later check reads) and rustc's incremental
/// state for the file; nothing is run.
pub fn compile_ahead(
    exercise: &'static Exercise,
    file: &Path,
    programs: &ProgramCache,
    cancel: &Cancel,
) -> Result<Ahead, EngineError> {
    Ok(
        match build_with(exercise, file, None, cancel, Some(programs))? {
            Built::Program(program) if program.reused => Ahead::AlreadyCompiled,
            Built::Program(_) => Ahead::Compiled,
            Built::Failed(_) => Ahead::DoesNotCompile,
            Built::Cancelled => Ahead::Cancelled,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{CheckOptions, Checked, check, programs, toolchain};

    fn report(file: &Path, options: &CheckOptions) -> crate::engine::report::Report {
        let counter = crate::exercise::find("counter").unwrap();
        match check(counter, file, options).unwrap() {
            Checked::Done(report) => report,
            Checked::Cancelled => panic!("not cancelled"),
        }
    }

    /// Whether rustc kept a finished session of incremental state in
    /// `dir` (a failed or unfinished compile keeps none).
    fn has_state(dir: &Path) -> bool {
        let sessions = std::fs::read_dir(dir.join("rustc"))
            .into_iter()
            .flatten()
            .flatten()
            .flat_map(|krate| std::fs::read_dir(krate.path()).into_iter().flatten())
            .flatten();
        sessions.map(|s| s.path()).any(|s| {
            s.is_dir()
                && !s.to_string_lossy().ends_with("-working")
                && s.join("dep-graph.bin").is_file()
        })
    }

    /// Compiled ahead, a file's first check runs the program kept then
    /// (no compile), and an edit compiles from rustc's kept state.
    #[test]
    fn a_file_compiled_ahead_is_checked_without_compiling_again() {
        let counter = crate::exercise::find("counter").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("counter.rs");
        std::fs::write(&file, counter.reference).unwrap();
        let file = std::fs::canonicalize(&file).unwrap();
        let cache = ProgramCache::in_dir(dir.path().join("programs"));
        let cancel = Cancel::new();
        let root = toolchain::prebuilt().unwrap().root;
        let state = programs::incremental_dir(&root, counter.id, &file).unwrap();
        assert!(!has_state(&state), "nothing kept before");

        assert_eq!(
            compile_ahead(counter, &file, &cache, &cancel).unwrap(),
            Ahead::Compiled
        );
        assert!(has_state(&state), "rustc's state for the file is kept");
        assert_eq!(cache.len(), 1);
        assert_eq!(
            compile_ahead(counter, &file, &cache, &cancel).unwrap(),
            Ahead::AlreadyCompiled
        );

        let options = CheckOptions {
            programs: Some(cache.clone()),
            ..CheckOptions::new()
        };
        let first = report(&file, &options);
        assert!(first.passed, "{}", first.to_json());
        assert_eq!(first.timings.compile_ms, 0, "the kept program is run");
        assert_eq!(cache.len(), 1);
    }

    /// A file that does not compile is said so, keeps no state, and its
    /// next check (which checks before it builds) tells the same errors as
    /// a full compile did.
    #[test]
    fn a_file_that_does_not_compile_is_told_and_checked_first_next_time() {
        let counter = crate::exercise::find("counter").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("counter.rs");
        let broken = counter.reference.replace(
            "pub fn get(&self) -> i64 {",
            "pub fn get(&self) -> i64 {\n        let _oops: u8 = \"not a number\";",
        );
        assert_ne!(broken, counter.reference);
        std::fs::write(&file, &broken).unwrap();
        let file = std::fs::canonicalize(&file).unwrap();
        let cache = ProgramCache::in_dir(dir.path().join("programs"));
        let root = toolchain::prebuilt().unwrap().root;
        let state = programs::incremental_dir(&root, counter.id, &file).unwrap();
        // The first compile of a file builds at once (no mark yet).
        let options = CheckOptions {
            programs: Some(cache.clone()),
            ..CheckOptions::new()
        };
        let built = report(&file, &options);
        assert!(state.join(crate::engine::compile::LAST_FAILED).is_file());
        assert_eq!(
            compile_ahead(counter, &file, &cache, &Cancel::new()).unwrap(),
            Ahead::DoesNotCompile
        );
        assert!(!has_state(&state));
        assert_eq!(cache.len(), 0);
        // Checked first this time: the same verdict, word for word.
        let checked = report(&file, &options);
        assert!(!checked.passed);
        assert_eq!(checked.checks, built.checks);
        let detail = checked.checks[0].detail.clone().unwrap_or_default();
        assert!(detail.contains("mismatched types"), "{detail}");

        // Fixed: built (and the mark gone), with the same verdict as
        // without the detour.
        std::fs::write(&file, counter.reference).unwrap();
        let fixed = report(&file, &options);
        assert!(fixed.passed, "{}", fixed.to_json());
        assert!(fixed.timings.compile_ms > 0);
        assert!(!state.join(crate::engine::compile::LAST_FAILED).exists());
        assert!(has_state(&state));
    }
}
