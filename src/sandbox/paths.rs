//! The paths a run touches: the toolchain and system paths every run may
//! read, canonical and C-string forms, handing the writable directory to
//! the sandbox uid, and the mount plan that makes hidden paths reachable.

use super::SandboxError;
use super::child::{self, MountOp};
use std::collections::BTreeSet;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, lchown};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Paths every run may read and execute (those that exist): the toolchain
/// of `rustc --print sysroot`, the system's binaries and libraries, the
/// `/etc` files the dynamic loader and the linker read, and the random
/// devices. Not `/etc` as a whole, not `/proc`, not `/tmp`, not `$HOME`.
pub fn default_readable() -> &'static [PathBuf] {
    static PATHS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut v: Vec<PathBuf> = [
            "/usr",
            "/lib",
            "/lib64",
            "/lib32",
            "/libx32",
            "/bin",
            "/sbin",
            "/etc/ld.so.cache",
            "/etc/ld.so.conf",
            "/etc/ld.so.conf.d",
            "/etc/alternatives",
            "/dev/urandom",
            "/dev/random",
        ]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect();
        if let Some(s) = rustc_sysroot() {
            v.push(s);
        }
        v
    })
}

/// `rustc --print sysroot` (cached; `None` if rustc is not found).
pub fn rustc_sysroot() -> Option<PathBuf> {
    static SYSROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    SYSROOT
        .get_or_init(|| {
            let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
            let out = Command::new(rustc)
                .args(["--print", "sysroot"])
                .output()
                .ok()?;
            if !out.status.success() {
                return None;
            }
            let s = String::from_utf8(out.stdout).ok()?;
            Some(PathBuf::from(s.trim()))
        })
        .clone()
}

/// `p` canonicalized, or the error naming it.
pub(super) fn canonical(p: &Path) -> Result<PathBuf, SandboxError> {
    p.canonicalize().map_err(|source| SandboxError::Path {
        path: p.to_path_buf(),
        source,
    })
}

/// `p` as the C string the raw system calls in the child take.
fn cstring(p: &Path) -> Result<CString, SandboxError> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| SandboxError::Nul(p.to_path_buf()))
}

/// Gives `p` and everything beneath it to `uid`/`gid`, so the command can
/// write where the policy lets it.
pub(super) fn chown_tree(p: &Path, uid: u32, gid: u32) -> Result<(), SandboxError> {
    let err = |source| SandboxError::Chown {
        path: p.to_path_buf(),
        source,
    };
    let meta = std::fs::symlink_metadata(p).map_err(err)?;
    if meta.uid() != uid || meta.gid() != gid {
        lchown(p, Some(uid), Some(gid)).map_err(err)?;
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(p).map_err(err)? {
            chown_tree(&entry.map_err(err)?.path(), uid, gid)?;
        }
    }
    Ok(())
}

/// Can `uid`/`gid` (not root) search directory `dir`?
fn traversable(dir: &Path, uid: u32, gid: u32) -> bool {
    match std::fs::metadata(dir) {
        Ok(m) => {
            let mode = m.mode();
            if m.uid() == uid {
                mode & 0o100 != 0
            } else if m.gid() == gid {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            }
        }
        Err(_) => true,
    }
}

/// For every wanted path behind a directory `uid` cannot traverse: a tmpfs
/// on the topmost such directory, the skeleton directories, and a bind
/// mount of the path (cloned in the child before the tmpfs hides it).
pub(super) fn mount_plan(
    wanted: &[(PathBuf, bool)],
    uid: u32,
    gid: u32,
    ops: &mut Vec<MountOp>,
) -> Result<(), SandboxError> {
    let mut tmpfs: Vec<PathBuf> = Vec::new();
    let mut bound: Vec<PathBuf> = Vec::new();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut binds = Vec::new();
    for (path, rw) in wanted {
        // Topmost hiding ancestor (strict ancestor, not "/").
        let hider = path
            .ancestors()
            .skip(1)
            .filter(|a| a.parent().is_some())
            .filter(|a| !traversable(a, uid, gid))
            .last()
            .map(Path::to_path_buf);
        let Some(hider) = hider else { continue };
        if bound.iter().any(|b| path.starts_with(b)) {
            continue;
        }
        if !tmpfs.contains(&hider) {
            tmpfs.push(hider.clone());
        }
        for a in path.ancestors().skip(1) {
            if a == hider {
                break;
            }
            dirs.insert(a.to_path_buf());
        }
        bound.push(path.clone());
        binds.push((path.clone(), *rw));
    }
    if binds.len() > child::MAX_BINDS {
        return Err(SandboxError::Path {
            path: binds[0].0.clone(),
            source: std::io::Error::other("too many hidden paths to bind-mount"),
        });
    }
    for t in &tmpfs {
        ops.push(MountOp::Tmpfs(cstring(t)?));
    }
    // BTreeSet order puts parents before children.
    for d in &dirs {
        ops.push(MountOp::Mkdir(cstring(d)?));
    }
    for (path, rw) in binds {
        ops.push(MountOp::Bind {
            path: cstring(&path)?,
            is_dir: path.is_dir(),
            read_only: !rw,
        });
    }
    Ok(())
}
