//! Taking a submission in: opened without following any link (the file
//! and its `<student>/` folder), refused unless the sandbox's uid could read
//! it too, and copied under a plain name into a private directory, so that
//! the engine never sees the student's path or name.

use super::discover::Submission;
use crate::sandbox::Sandbox;
use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The largest submission taken in; a solution is a few kilobytes.
const MAX_BYTES: u64 = 1 << 20;

/// Why a submission could not be taken in.
#[derive(Debug)]
pub(crate) enum StageError {
    /// The submission itself is not acceptable (a link, unreadable, huge).
    Refused(String),
    /// The tool failed (a working directory, a descriptor).
    Tool(String),
}

/// A submission copied into a private directory; removed when dropped.
#[derive(Debug)]
pub(crate) struct Staged {
    /// The copy.
    pub file: PathBuf,
    // Holds the copy.
    _dir: tempfile::TempDir,
}

/// Opens `sub` without following links and copies it to `<tmp>/<name>`.
/// `reader` is the sandbox whose uid must be able to read what is taken
/// in, when this process is root (so a hard link to a file only root may
/// read is refused, not echoed into a report).
pub(crate) fn stage(
    sub: &Submission,
    name: &OsStr,
    reader: Option<&Sandbox>,
) -> Result<Staged, StageError> {
    let refused = |what: &str, e: std::io::Error| {
        if e.raw_os_error() == Some(libc::ELOOP) || e.raw_os_error() == Some(libc::ENOTDIR) {
            StageError::Refused(format!(
                "{what} is a symbolic link (or not what it was when listed); links are never followed"
            ))
        } else {
            StageError::Refused(format!("{what} cannot be opened: {e}"))
        }
    };
    let entry_shown = super::discover::escape(sub.entry.as_os_str());
    let flags = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
    let first = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(
            flags
                | if sub.inner.is_some() {
                    libc::O_DIRECTORY
                } else {
                    0
                },
        )
        .open(&sub.entry)
        .map_err(|e| refused(&entry_shown, e))?;
    let file = match &sub.inner {
        None => first,
        Some(inner) => {
            check_readable(&first, &entry_shown, true, reader)?;
            open_at(&first, inner, flags).map_err(|e| refused(&sub.shown, e))?
        }
    };
    check_readable(&file, &sub.shown, false, reader)?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StageError::Refused(format!("{} cannot be read: {e}", sub.shown)))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(StageError::Refused(format!(
            "{} is larger than {} KiB; a solution is a few kilobytes",
            sub.shown,
            MAX_BYTES >> 10
        )));
    }
    let tool = |what: &str, e: std::io::Error| StageError::Tool(format!("{what}: {e}"));
    let dir = tempfile::Builder::new()
        .prefix("threadlings-stage-")
        .tempdir()
        .map_err(|e| tool("cannot create a working directory", e))?;
    // The engine and the sandbox's uid read the copy.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
        .map_err(|e| tool("cannot create a working directory", e))?;
    let copy = dir.path().join(name);
    std::fs::write(&copy, &bytes).map_err(|e| tool("cannot copy the submission", e))?;
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| tool("cannot copy the submission", e))?;
    Ok(Staged {
        file: copy,
        _dir: dir,
    })
}

fn open_at(dir: &File, name: &OsStr, flags: i32) -> std::io::Result<File> {
    let c = CString::new(name.as_bytes())
        .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: `dir` is an open directory and `c` a NUL-terminated name; the
    // returned descriptor is owned by the File we make of it.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), c.as_ptr(), flags | libc::O_RDONLY) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and nothing else owns it.
    Ok(unsafe { File::from_raw_fd(fd) })
}

/// What is opened must be a regular file (or the folder), readable by the
/// sandbox's uid when this process is root.
fn check_readable(
    file: &File,
    shown: &str,
    folder: bool,
    reader: Option<&Sandbox>,
) -> Result<(), StageError> {
    let meta = file
        .metadata()
        .map_err(|e| StageError::Refused(format!("{shown} cannot be read: {e}")))?;
    if !folder && !meta.is_file() {
        return Err(StageError::Refused(format!(
            "{shown} is not a regular file"
        )));
    }
    let Some(sandbox) = reader.filter(|s| s.is_root && s.uid != 0) else {
        return Ok(());
    };
    let mode = meta.mode();
    // Read for a file, search for a folder; owner, group, then others.
    let (own, grp, oth) = if folder {
        (0o100, 0o010, 0o001)
    } else {
        (0o400, 0o040, 0o004)
    };
    let allowed = if meta.uid() == sandbox.uid {
        mode & own != 0
    } else if meta.gid() == sandbox.gid {
        mode & grp != 0
    } else {
        mode & oth != 0
    };
    if allowed {
        Ok(())
    } else {
        Err(StageError::Refused(format!(
            "{shown} is not readable by the sandbox's uid {} (mode {:o}); \
             the grader reads only what the sandbox could (chmod -R a+rX the submissions)",
            sandbox.uid,
            mode & 0o7777
        )))
    }
}

/// `text` with the staged copy's path replaced by the submission's.
pub(crate) fn unstage(text: &str, staged: &Path, shown: &str) -> String {
    let file = staged.display().to_string();
    let dir = staged.parent().map(|d| d.display().to_string());
    let mut out = text.replace(&file, shown);
    if let Some(dir) = dir {
        out = out.replace(&dir, "<submission>");
    }
    out
}
