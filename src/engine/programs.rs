//! Compiled check programs kept for reuse: checking a file whose content
//! (and tool) did not change since its last compile runs the program built
//! then, without calling `rustc` again (the tutor's `r`).

use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How many compiled programs a cache keeps: the latest few versions of
/// the files being worked on. Each is a few MB in a temporary directory,
/// removed when it falls out.
const KEPT: usize = 8;

/// What a compiled program is the compile of: the file's content and
/// path, the exercise, and the tool (the harness fingerprint names the
/// tool version, its harness sources and the compiler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramKey(u64);

impl ProgramKey {
    /// The key of compiling `content` (read from `path`) as `exercise`,
    /// against the drivers whose hash is `drivers`.
    pub fn new(exercise: &str, path: &Path, content: &[u8], drivers: u64) -> ProgramKey {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        exercise.hash(&mut h);
        path.hash(&mut h);
        content.hash(&mut h);
        drivers.hash(&mut h);
        super::toolchain::harness_fingerprint().hash(&mut h);
        ProgramKey(h.finish())
    }
}

/// A compiled program and the directory that holds it (removed when the
/// last user lets go).
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The executable.
    pub binary: PathBuf,
    /// Its working directory.
    pub work: Arc<tempfile::TempDir>,
}

/// The most recently compiled programs, by [`ProgramKey`]; cloning shares
/// the cache. Bounded: the oldest falls out past [`KEPT`].
#[derive(Debug, Clone, Default)]
pub struct ProgramCache(Arc<Mutex<VecDeque<(ProgramKey, Compiled)>>>);

impl ProgramCache {
    /// An empty cache.
    pub fn new() -> ProgramCache {
        ProgramCache::default()
    }

    /// The program compiled for `key`, if kept (it becomes the newest).
    pub fn get(&self, key: ProgramKey) -> Option<Compiled> {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let at = kept.iter().position(|(k, _)| *k == key)?;
        let entry = kept.remove(at)?;
        let found = entry.1.clone();
        kept.push_back(entry);
        Some(found)
    }

    /// Keeps `compiled` as the program for `key`.
    pub fn put(&self, key: ProgramKey, compiled: Compiled) {
        let mut kept = self.0.lock().unwrap_or_else(|e| e.into_inner());
        kept.retain(|(k, _)| *k != key);
        kept.push_back((key, compiled));
        while kept.len() > KEPT {
            kept.pop_front();
        }
    }

    /// How many programs are kept.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled() -> Compiled {
        let work = Arc::new(tempfile::tempdir().unwrap());
        Compiled {
            binary: work.path().join("check"),
            work,
        }
    }

    #[test]
    fn a_key_changes_with_the_content_the_path_and_the_exercise() {
        let key = ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {}", 1);
        assert_eq!(
            key,
            ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {}", 1)
        );
        for other in [
            ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {} ", 1),
            ProgramKey::new("counter", Path::new("/b.rs"), b"fn main() {}", 1),
            ProgramKey::new("ledger", Path::new("/a.rs"), b"fn main() {}", 1),
            ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {}", 2),
        ] {
            assert_ne!(key, other);
        }
    }

    #[test]
    fn the_cache_keeps_the_newest_and_removes_what_falls_out() {
        let cache = ProgramCache::new();
        let first = compiled();
        let first_dir = first.work.path().to_path_buf();
        cache.put(ProgramKey(0), first);
        for i in 1..KEPT as u64 {
            cache.put(ProgramKey(i), compiled());
        }
        // Used again: now the newest, so the next one pushes out key 1.
        assert!(cache.get(ProgramKey(0)).is_some());
        cache.put(ProgramKey(100), compiled());
        assert_eq!(cache.len(), KEPT);
        assert!(cache.get(ProgramKey(1)).is_none());
        assert!(cache.get(ProgramKey(0)).is_some());
        for i in 101..101 + KEPT as u64 {
            cache.put(ProgramKey(i), compiled());
        }
        assert!(cache.get(ProgramKey(0)).is_none());
        assert!(!first_dir.exists(), "a program that falls out is removed");
    }

    /// A check of unchanged content runs the program compiled before (no
    /// compile time); an edit compiles again. Each check tells its progress
    /// as it goes: the compile first, then each phase's end.
    #[test]
    fn a_check_of_the_same_content_reuses_its_program() {
        use crate::engine::{CheckOptions, Checked, Progress, ProgressSink, check};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("counter.rs");
        let counter = crate::exercise::find("counter").unwrap();
        std::fs::write(&file, counter.reference).unwrap();
        let cache = ProgramCache::new();
        let told = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&told);
        let options = CheckOptions {
            programs: Some(cache.clone()),
            progress: Some(ProgressSink::new(move |p| sink.lock().unwrap().push(p))),
            ..CheckOptions::new()
        };
        let report = |options: &CheckOptions| match check(counter, &file, options).unwrap() {
            Checked::Done(report) => report,
            Checked::Cancelled => panic!("not cancelled"),
        };
        let first = report(&options);
        assert!(first.passed, "{}", first.to_json());
        assert!(first.timings.compile_ms > 0);
        assert_eq!(cache.len(), 1);
        let steps = std::mem::take(&mut *told.lock().unwrap());
        assert_eq!(steps.len(), 1 + counter.phases.len(), "{steps:?}");
        assert!(
            matches!(&steps[0], Progress::Compiled(c) if c.passed),
            "{steps:?}"
        );
        let mut ended: Vec<&str> = steps[1..]
            .iter()
            .map(|p| match p {
                Progress::PhaseEnded { phase, .. } => phase.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        ended.sort_unstable();
        let mut phases = counter.phases.clone();
        phases.sort_unstable();
        assert_eq!(ended, phases);

        let again = report(&options);
        assert!(again.passed, "{}", again.to_json());
        assert_eq!(again.timings.compile_ms, 0, "not compiled again");
        assert_eq!(cache.len(), 1);

        std::fs::write(&file, format!("{}\n// edited\n", counter.reference)).unwrap();
        let edited = report(&options);
        assert!(edited.timings.compile_ms > 0, "an edit compiles again");
        assert_eq!(cache.len(), 2);

        // A file that does not compile: its compile result is told too.
        std::fs::write(&file, "fn broken( {").unwrap();
        told.lock().unwrap().clear();
        let broken = report(&options);
        assert!(!broken.passed);
        let steps = told.lock().unwrap().clone();
        assert!(
            matches!(steps.as_slice(), [Progress::Compiled(c)] if !c.passed),
            "{steps:?}"
        );
    }
}
