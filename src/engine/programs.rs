//! Compiled check programs kept for reuse, on disk in the cache: checking
//! a file whose content (and tool) did not change since its last compile
//! runs the program built then, without calling `rustc` again, whether the
//! check comes from the tutor (`r`) or from another `threadlings check`.
//!
//! An entry is a directory named by its [`ProgramKey`] holding the program
//! and the list of every other input rustc read for it (a `mod` beside the
//! learner's file, an `include_str!`, an `env!`), each with its content
//! then: the entry is used only while all of them still hold it.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod incremental;

pub(super) use incremental::incremental_dir;

/// How many compiled programs a cache keeps: the latest few versions of
/// the files being worked on (a few MB each); the least recently used
/// falls out.
const KEPT: usize = 12;

/// Left-over working directories of a process that was killed mid-compile
/// are removed once this old.
const STALE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// What a compiled program is the compile of: the file's content and
/// path, the exercise, and everything else the build used (`build`: the
/// harness cache, which names the tool and the compiler, the drivers, the
/// flags and the glue program).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgramKey(u64);

impl ProgramKey {
    /// The key of compiling `content` (read from `path`) as `exercise`,
    /// with everything else the build depends on described by `build`.
    pub fn new(exercise: &str, path: &Path, content: &[u8], build: &str) -> ProgramKey {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        exercise.hash(&mut h);
        path.hash(&mut h);
        content.hash(&mut h);
        build.hash(&mut h);
        ProgramKey(h.finish())
    }

    fn name(self) -> String {
        format!("{:016x}", self.0)
    }
}

/// A compiled program and the directory that holds it (removed when the
/// last user lets go; the cache keeps its own link to the program).
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The executable.
    pub binary: PathBuf,
    /// Its working directory.
    pub work: Arc<tempfile::TempDir>,
}

/// The programs kept in one directory; cloning shares it, and so do
/// processes using the same cache.
#[derive(Debug, Clone)]
pub struct ProgramCache {
    dir: PathBuf,
}

impl Default for ProgramCache {
    fn default() -> Self {
        ProgramCache::new()
    }
}

impl ProgramCache {
    /// The cache's programs (`programs/` in the tool's cache directory).
    pub fn new() -> ProgramCache {
        ProgramCache::in_dir(super::toolchain::cache_root().join("programs"))
    }

    /// Programs kept in `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> ProgramCache {
        ProgramCache { dir: dir.into() }
    }

    /// A fresh working directory beside the kept programs (the same file
    /// system: keeping a program there is a hard link, not a copy).
    pub fn work_dir(&self) -> std::io::Result<tempfile::TempDir> {
        std::fs::create_dir_all(&self.dir)?;
        tempfile::Builder::new()
            .prefix(".work-")
            .tempdir_in(&self.dir)
    }

    /// The program compiled for `key`, if kept and every other input it
    /// was built from is unchanged; linked into a directory of the
    /// caller's own, so pruning the entry cannot pull it away.
    pub fn get(&self, key: ProgramKey) -> Option<Compiled> {
        let entry = self.dir.join(key.name());
        let inputs = std::fs::read_to_string(entry.join("inputs")).ok()?;
        if !Inputs::parse(&inputs)?.still_hold() {
            return None;
        }
        let work = tempfile::Builder::new()
            .prefix(".run-")
            .tempdir_in(&self.dir)
            .ok()?;
        let binary = work.path().join("check");
        link_or_copy(&entry.join("check"), &binary).ok()?;
        // Used now: the newest, the last to fall out.
        touch(&entry);
        Some(Compiled {
            binary,
            work: Arc::new(work),
        })
    }

    /// Keeps `binary` as the program for `key`, built from `inputs` besides
    /// the file the key names (best effort: a cache that cannot be written
    /// only means compiling again).
    pub fn put(&self, key: ProgramKey, binary: &Path, inputs: &Inputs) {
        let _ = std::fs::create_dir_all(&self.dir);
        let Ok(new) = tempfile::Builder::new()
            .prefix(".new-")
            .tempdir_in(&self.dir)
        else {
            return;
        };
        let written = link_or_copy(binary, &new.path().join("check"))
            .and_then(|()| std::fs::write(new.path().join("inputs"), inputs.to_text()));
        let entry = self.dir.join(key.name());
        // Renamed whole: a reader sees all of an entry or none. Another
        // process may have kept the same program meanwhile: theirs stays.
        if written.is_ok() && std::fs::rename(new.path(), &entry).is_ok() {
            touch(&entry);
        }
        self.prune();
    }

    /// How many programs are kept.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kept entries, least recently used first.
    fn entries(&self) -> Vec<PathBuf> {
        let Ok(read) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut found: Vec<(std::time::SystemTime, PathBuf)> = read
            .flatten()
            .filter(|e| is_key_name(&e.file_name().to_string_lossy()))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        found.sort();
        found.into_iter().map(|(_, path)| path).collect()
    }

    /// Removes what fell out: all but the [`KEPT`] most recently used, and
    /// working directories left by killed processes.
    fn prune(&self) {
        let entries = self.entries();
        let extra = entries.len().saturating_sub(KEPT);
        for path in &entries[..extra] {
            let _ = std::fs::remove_dir_all(path);
        }
        remove_stale(&self.dir, &[".work-", ".run-", ".new-"]);
    }
}

/// Removes the directories in `dir` whose names start with one of
/// `prefixes` and that were last changed before [`STALE`].
fn remove_stale(dir: &Path, prefixes: &[&str]) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE);
        if old && prefixes.iter().any(|p| name.starts_with(p)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn is_key_name(name: &str) -> bool {
    name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

fn touch(path: &Path) {
    if let Ok(dir) = std::fs::File::open(path) {
        let _ = dir.set_modified(std::time::SystemTime::now());
    }
}

/// Hard-links `from` at `to`, or copies it across file systems.
pub(super) fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// What a compile read besides the glue it was given: files with a hash
/// of their content, and environment variables with their values (from
/// rustc's dep-info).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    files: Vec<(PathBuf, u64)>,
    env: Vec<(String, Option<String>)>,
}

impl Inputs {
    /// The inputs a dep-info file (`--emit=dep-info`) lists, hashed now;
    /// `glue` (generated by the tool, part of the key) is left out.
    /// Relative paths are relative to `base`.
    pub fn from_dep_info(text: &str, base: &Path, glue: &Path) -> Inputs {
        let mut inputs = Inputs::default();
        for line in text.lines() {
            if let Some(var) = line.strip_prefix("# env-dep:") {
                let (name, value) = match var.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_string())),
                    None => (var, None),
                };
                inputs.env.push((name.to_string(), value));
            } else if let Some(path) = line.strip_suffix(':')
                && !line.starts_with('#')
                && !path.is_empty()
            {
                let path = base.join(path.replace("\\ ", " "));
                if path == glue {
                    continue;
                }
                let hash = std::fs::read(&path).map_or(0, |b| content_hash(&b));
                inputs.files.push((path, hash));
            }
        }
        inputs
    }

    /// Whether every input still holds what it held at the compile.
    pub fn still_hold(&self) -> bool {
        let files = self
            .files
            .iter()
            .all(|(path, hash)| std::fs::read(path).is_ok_and(|b| content_hash(&b) == *hash));
        let env = self
            .env
            .iter()
            .all(|(name, value)| std::env::var(name).ok().as_deref() == value.as_deref());
        files && env
    }

    fn to_text(&self) -> String {
        let mut text = String::new();
        for (path, hash) in &self.files {
            text.push_str(&format!("file\t{hash:016x}\t{}\n", path.display()));
        }
        for (name, value) in &self.env {
            match value {
                Some(value) => text.push_str(&format!("env\t{name}\t={value}\n")),
                None => text.push_str(&format!("env\t{name}\n")),
            }
        }
        text
    }

    fn parse(text: &str) -> Option<Inputs> {
        let mut inputs = Inputs::default();
        for line in text.lines() {
            let mut parts = line.splitn(3, '\t');
            match (parts.next()?, parts.next()?, parts.next()) {
                ("file", hash, Some(path)) => {
                    let hash = u64::from_str_radix(hash, 16).ok()?;
                    inputs.files.push((PathBuf::from(path), hash));
                }
                ("env", name, value) => {
                    let value = match value {
                        Some(v) => Some(v.strip_prefix('=')?.to_string()),
                        None => None,
                    };
                    inputs.env.push((name.to_string(), value));
                }
                _ => return None,
            }
        }
        Some(inputs)
    }
}

#[cfg(test)]
mod tests;
