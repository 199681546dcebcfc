//! Finding submissions. Every entry of the submissions directory becomes
//! exactly one [`Submission`]: one to grade, or one refused with a reason,
//! so that no student disappears from a report without a word.

use super::GradeError;
use crate::engine::exercise::Exercise;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// One entry of the submissions directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The student: the entry's name without `.rs`, escaped (see [`escape`])
    /// so that names that are not UTF-8 stay distinct and printable.
    pub student: String,
    /// The entry itself: `DIR/alice.rs` or `DIR/alice`.
    pub entry: PathBuf,
    /// For a folder, the file inside it to check (`counter.rs`).
    pub inner: Option<OsString>,
    /// The checked file as reports show it (escaped).
    pub shown: String,
    /// Why this entry is not graded, when it is not.
    pub refused: Option<String>,
}

impl Submission {
    /// The file to check: the entry, or the file inside the folder.
    pub fn file(&self) -> PathBuf {
        match &self.inner {
            Some(inner) => self.entry.join(inner),
            None => self.entry.clone(),
        }
    }
}

/// A name as reports show it: UTF-8 is kept, a backslash is doubled,
/// control characters become `\u{..}` and bytes that are not UTF-8 `\xNN`.
/// Distinct names stay distinct (the escape cannot be confused with a
/// name's own text, since every backslash in one is doubled).
pub fn escape(name: &OsStr) -> String {
    let mut out = String::new();
    for chunk in name.as_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Finds the submissions in `dir`: every `<student>.rs` file, and every
/// `<student>/` folder holding the exercise's file (e.g. `counter.rs`) or
/// a single `.rs` file. Every other entry (a link, another file, a folder
/// without a clear candidate, two entries of one student) is returned
/// refused, with the reason. Names starting with `.` are skipped (`.git`,
/// `.DS_Store`). Sorted by student name, then entry.
pub fn discover(dir: &Path, exercise: &Exercise) -> Result<Vec<Submission>, GradeError> {
    let cannot = |e: std::io::Error| {
        GradeError::Submissions(format!(
            "cannot read the submissions directory {}: {e}",
            dir.display()
        ))
    };
    let wanted = Path::new(exercise.file)
        .file_name()
        .map(OsStr::to_os_string)
        .unwrap_or_default();
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let entry = entry.map_err(cannot)?;
        let name = entry.file_name();
        if name.as_bytes().starts_with(b".") {
            continue;
        }
        // `file_type` does not follow links: a link is seen as a link.
        let kind = entry.file_type().map_err(cannot)?;
        found.push(classify(&entry.path(), &name, kind, &wanted));
    }
    if found.is_empty() {
        return Err(GradeError::Submissions(format!(
            "no submissions in {}: expected <student>.rs files or <student>/ folders holding {}",
            dir.display(),
            wanted.to_string_lossy()
        )));
    }
    refuse_duplicates(&mut found);
    found.sort_by(|a, b| {
        (a.student.as_str(), a.entry.as_os_str().as_bytes())
            .cmp(&(b.student.as_str(), b.entry.as_os_str().as_bytes()))
    });
    Ok(found)
}

/// The entries with index `k - 1`, `k - 1 + n`, ... of the sorted list:
/// share `k` of `n`, the same whichever machine computes it.
pub fn partition(submissions: Vec<Submission>, k: usize, n: usize) -> Vec<Submission> {
    submissions
        .into_iter()
        .enumerate()
        .filter(|(i, _)| n > 0 && i % n == k.wrapping_sub(1))
        .map(|(_, s)| s)
        .collect()
}

fn strip_rs(name: &OsStr) -> Option<&OsStr> {
    let bytes = name.as_bytes();
    let stem = bytes.len().checked_sub(3)?;
    (stem > 0 && bytes[stem..].eq_ignore_ascii_case(b".rs"))
        .then(|| OsStr::from_bytes(&bytes[..stem]))
}

fn classify(path: &Path, name: &OsStr, kind: std::fs::FileType, wanted: &OsStr) -> Submission {
    let shown = escape(path.as_os_str());
    let mut sub = Submission {
        student: escape(strip_rs(name).unwrap_or(name)),
        entry: path.to_path_buf(),
        inner: None,
        shown: shown.clone(),
        refused: None,
    };
    let label = escape(name);
    if kind.is_symlink() {
        sub.refused = Some(format!(
            "{label} is a symbolic link; links are never followed, submit the file itself"
        ));
    } else if kind.is_file() {
        if strip_rs(name).is_none() {
            sub.refused = Some(format!(
                "{label} is neither a <student>.rs file nor a <student>/ folder"
            ));
        }
    } else if kind.is_dir() {
        sub.student = label.clone();
        match pick_in_folder(path, wanted) {
            Ok(inner) => {
                sub.shown = escape(path.join(&inner).as_os_str());
                sub.inner = Some(inner);
            }
            Err(why) => sub.refused = Some(format!("{label}/ {why}")),
        }
    } else {
        sub.refused = Some(format!("{label} is neither a file nor a folder"));
    }
    sub
}

/// The file of a `<student>/` folder to check: the exercise's file, or the
/// only `.rs` file; links are refused, never followed.
fn pick_in_folder(folder: &Path, wanted: &OsStr) -> Result<OsString, String> {
    let wanted_shown = escape(wanted);
    let mut listing = Vec::new();
    let mut candidates = Vec::new();
    let entries = std::fs::read_dir(folder).map_err(|e| format!("cannot be read: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot be read: {e}"))?;
        let name = entry.file_name();
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot be read: {e}"))?;
        if name == wanted {
            if kind.is_symlink() {
                return Err(format!(
                    "holds {wanted_shown} as a symbolic link; links are never followed"
                ));
            }
            if !kind.is_file() {
                return Err(format!("holds {wanted_shown}, but not as a regular file"));
            }
            return Ok(name);
        }
        let mut shown = escape(&name);
        if kind.is_dir() {
            shown.push('/');
        } else if kind.is_symlink() {
            shown.push_str(" (link)");
        } else if kind.is_file() && strip_rs(&name).is_some() {
            candidates.push(name.clone());
        }
        listing.push(shown);
    }
    listing.sort();
    match candidates.as_slice() {
        [one] => Ok(one.clone()),
        [] if listing.is_empty() => Err(format!("is empty (expected {wanted_shown})")),
        [] => Err(format!(
            "holds no {wanted_shown} and no other .rs file (it holds: {})",
            listing.join(", ")
        )),
        _ => Err(format!(
            "holds several .rs files and no {wanted_shown}, so which to grade is unclear (it holds: {})",
            listing.join(", ")
        )),
    }
}

/// Two entries of one student (`alice.rs` and `alice/`): neither is graded,
/// and each names the other.
fn refuse_duplicates(found: &mut [Submission]) {
    let mut by_student: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in found.iter().enumerate() {
        by_student.entry(s.student.clone()).or_default().push(i);
    }
    for (student, indices) in by_student {
        if indices.len() < 2 {
            continue;
        }
        let mut names: Vec<String> = indices
            .iter()
            .map(|&i| {
                let e = &found[i].entry;
                let mut name = escape(e.file_name().unwrap_or(e.as_os_str()));
                if std::fs::symlink_metadata(e).is_ok_and(|m| m.is_dir()) {
                    name.push('/');
                }
                name
            })
            .collect();
        names.sort();
        let why = format!(
            "{} {} name the student {student}; keep one of them (remove or rename the others)",
            names.join(" and "),
            if names.len() == 2 { "both" } else { "all" }
        );
        for i in indices {
            found[i].refused = Some(why.clone());
        }
    }
}
