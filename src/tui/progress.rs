//! The learner's progress: done items, hints revealed and quiz results,
//! kept in a small TOML file in the project directory and written
//! atomically (temp file in the same directory, fsync, rename), so a crash
//! or a kill at any moment leaves either the old file or the new one.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The progress file's name, in the project directory.
pub const FILE_NAME: &str = ".threadlings-progress.toml";

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// One lesson's quiz result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizScore {
    /// Questions answered correctly.
    pub correct: u32,
    /// Questions in the quiz.
    pub total: u32,
}

/// Everything the tutor remembers between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// Always [`VERSION`]; a file without it is not ours.
    pub threadlings_progress: u32,
    /// Ids of finished lessons and passed exercises.
    #[serde(default)]
    pub done: BTreeSet<String>,
    /// Hints revealed, by exercise id.
    #[serde(default)]
    pub hints: BTreeMap<String, u32>,
    /// Quiz results, by lesson id.
    #[serde(default)]
    pub quiz: BTreeMap<String, QuizScore>,
    /// Orders the choices of every quiz for this learner (see
    /// [`crate::course::choice_order`]). Files written before it existed
    /// have none: [`Progress::with_quiz_seed`] gives them one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiz_seed: Option<u64>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            threadlings_progress: VERSION,
            done: BTreeSet::new(),
            hints: BTreeMap::new(),
            quiz: BTreeMap::new(),
            quiz_seed: None,
        }
    }
}

/// Why a progress file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it, for the learner.
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl Progress {
    /// The progress file of the project at `root`.
    pub fn path(root: &Path) -> PathBuf {
        root.join(FILE_NAME)
    }

    /// Parses progress text.
    pub fn parse(text: &str) -> Result<Progress, String> {
        let progress: Progress = toml::from_str(text).map_err(|err| {
            let msg = err.message().to_string();
            if msg.contains("threadlings_progress") {
                "this is not a threadlings progress file".to_string()
            } else {
                format!("it is not valid progress TOML ({})", msg.trim())
            }
        })?;
        if progress.threadlings_progress != VERSION {
            return Err(format!(
                "it was written by another version of threadlings (format {}, expected {VERSION})",
                progress.threadlings_progress
            ));
        }
        Ok(progress)
    }

    /// The progress with a quiz seed: its own, else `fresh` (older files
    /// and fresh progress have none). Says whether it was added.
    pub fn with_quiz_seed(mut self, fresh: u64) -> (Progress, bool) {
        let added = self.quiz_seed.is_none();
        self.quiz_seed.get_or_insert(fresh);
        (self, added)
    }

    /// Loads the progress file at `path`; a missing file is fresh progress.
    pub fn load(path: &Path) -> Result<Progress, LoadError> {
        let text = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Progress::default());
            }
            Err(err) => {
                return Err(LoadError {
                    path: path.to_path_buf(),
                    message: format!("cannot be read ({err})"),
                });
            }
        };
        let text = String::from_utf8(text).map_err(|_| LoadError {
            path: path.to_path_buf(),
            message: "it is not text".to_string(),
        })?;
        Progress::parse(&text).map_err(|message| LoadError {
            path: path.to_path_buf(),
            message,
        })
    }

    /// The progress as TOML, with a comment saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("progress always serialises");
        format!("# threadlings progress: safe to read; delete it to start over.\n{body}")
    }

    /// Writes the progress to `path` atomically: a temporary file in the
    /// same directory, flushed to disk, then renamed over the old file.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".threadlings-progress.")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        tmp.write_all(self.to_toml().as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|err| err.error)?;
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Removes temporary files left by saves that were killed midway (older
/// than a minute, so a save running in another window is left alone).
pub fn remove_stale_temps(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60));
        if name.starts_with(".threadlings-progress.") && name.ends_with(".tmp") && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Moves a bad progress file aside to `<name>.corrupt` and returns where.
/// An older one is never overwritten: `.corrupt`, then `.corrupt.1`,
/// `.corrupt.2`, ... (like the `.bak` names of a reset).
pub fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let aside = (0..)
        .map(|n| {
            let mut name = path.as_os_str().to_owned();
            name.push(if n == 0 {
                ".corrupt".to_string()
            } else {
                format!(".corrupt.{n}")
            });
            PathBuf::from(name)
        })
        .find(|candidate| !candidate.exists())
        .expect("some name is free");
    std::fs::rename(path, &aside)?;
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = Progress::path(dir.path());
        assert_eq!(Progress::load(&path).unwrap(), Progress::default());
        let mut p = Progress::default();
        p.done.insert("counter".into());
        p.hints.insert("counter".into(), 2);
        p.quiz.insert(
            "one-owner".into(),
            QuizScore {
                correct: 1,
                total: 2,
            },
        );
        p.save(&path).unwrap();
        assert_eq!(Progress::load(&path).unwrap(), p);
        std::fs::write(&path, "[package]\nname = \"x\"\n").unwrap();
        let err = Progress::load(&path).unwrap_err();
        assert!(err.message.contains("not"), "{err}");
        std::fs::write(&path, "threadlings_progress = 99\n").unwrap();
        assert!(
            Progress::load(&path)
                .unwrap_err()
                .message
                .contains("another version")
        );
        let aside = move_aside(&path).unwrap();
        assert!(
            aside
                .to_string_lossy()
                .ends_with(".threadlings-progress.toml.corrupt")
        );
        assert_eq!(Progress::load(&path).unwrap(), Progress::default());
    }

    #[test]
    fn a_second_corrupt_file_does_not_replace_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = Progress::path(dir.path());
        let mut asides = Vec::new();
        for n in 0..3 {
            std::fs::write(&path, format!("bad {n}")).unwrap();
            asides.push(move_aside(&path).unwrap());
        }
        let names: Vec<String> = asides
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                ".threadlings-progress.toml.corrupt",
                ".threadlings-progress.toml.corrupt.1",
                ".threadlings-progress.toml.corrupt.2",
            ]
        );
        for (n, aside) in asides.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(aside).unwrap(), format!("bad {n}"));
        }
        assert!(!path.exists());
    }
}
