//! A teacher's pack's judge, built into its own program in the cache and
//! run as a child of the tool: phase runs as JSON on stdin, results as
//! JSON on stdout. The learner's program never links it.

use super::{PackError, PackManifest};
use crate::engine::judge::{CheckResult, Runs};
use std::path::{Path, PathBuf};

/// Builds (once per pack content) the judge program of the pack at `dir`.
pub fn build(dir: &Path, _manifest: &PackManifest) -> Result<PathBuf, PackError> {
    Err(PackError::Build {
        path: dir.to_path_buf(),
        message: "teacher packs are not supported yet".into(),
    })
}

/// Asks the judge program at `path` to judge `runs` of `exercise`.
pub fn run(path: &Path, exercise: &str, _runs: &Runs) -> Result<Vec<CheckResult>, String> {
    Err(format!(
        "cannot run the judge {} for `{exercise}`",
        path.display()
    ))
}
