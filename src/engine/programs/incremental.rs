//! rustc's incremental state per learner file, kept in the cache between
//! checks: after an edit rustc recompiles only the code the edit changed
//! (a check after a one-line edit compiles in about a third of the time).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many files' states are kept (a few MB each).
const KEPT: usize = 16;

/// A state beyond [`KEPT`] is removed only once unused this long, so a
/// compile still using it is never disturbed.
const IDLE: Duration = Duration::from_secs(3600);

/// The incremental directory for compiling `file` as `exercise` against
/// the harness cache `harness` (which names the tool and the compiler),
/// created if need be; `None` if the cache cannot be written (the compile
/// then starts from scratch).
pub(in crate::engine) fn incremental_dir(
    harness: &Path,
    exercise: &str,
    file: &Path,
) -> Option<PathBuf> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    harness.hash(&mut h);
    exercise.hash(&mut h);
    file.hash(&mut h);
    let root = crate::engine::toolchain::cache_root().join("incremental");
    let dir = root.join(format!("{:016x}", h.finish()));
    std::fs::create_dir_all(&dir).ok()?;
    super::touch(&dir);
    prune(&root);
    Some(dir)
}

/// Removes the least recently used states beyond [`KEPT`] that have been
/// idle for [`IDLE`].
fn prune(root: &Path) {
    let Ok(read) = std::fs::read_dir(root) else {
        return;
    };
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = read
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    found.sort();
    let extra = found.len().saturating_sub(KEPT);
    for (modified, path) in &found[..extra] {
        if modified.elapsed().is_ok_and(|idle| idle > IDLE) {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}
