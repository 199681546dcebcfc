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
