//! Which compiler checks use, known without waiting for it.
//!
//! Asking `rustc -vV` and `rustc --print sysroot` through rustup's proxy
//! costs two process starts (50–130 ms on a busy machine), as much as a
//! bare `rustc` needs to report a type error. So a check starts with the
//! compiler the previous check in the same context found (remembered in
//! the cache) and asks the real one side by side; if they differ (a
//! `rustup update`, another toolchain), the answer is remembered and the
//! check is built again with it: a verdict never rests on a guess.
//!
//! Nor is the question asked when nothing that picks or makes up the
//! toolchain changed since the answer was remembered: the `rustc` on
//! `PATH` (rustup's proxy), the sysroot's `rustc` and libraries, rustup's
//! settings (default toolchain, directory overrides) and any
//! `rust-toolchain` file from here up, compared by their file metadata
//! (a `rustup update` or `rustup default` changes one of them).

use crate::engine::supervisor::{self, Cancel, Ending, Limits};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// How long asking the compiler for its version may take.
const PROBE_LIMIT: Duration = Duration::from_secs(60);

/// A compiler, as far as a build depends on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiler {
    /// What `rustc -vV` prints (release, commit, host, LLVM).
    pub version: String,
    /// Its sysroot, if it said.
    pub sysroot: Option<PathBuf>,
}

static CURRENT: OnceLock<Compiler> = OnceLock::new();

impl Compiler {
    /// The compiler of this process's checks: probed once (and
    /// remembered for the next process).
    pub fn current() -> &'static Compiler {
        CURRENT.get_or_init(|| {
            let found = Compiler::probe(&Cancel::new());
            found.remember();
            found
        })
    }

    /// Adopts `found` (probed elsewhere) as [`Compiler::current`] if
    /// nothing was probed in this process yet.
    pub(crate) fn settle(found: Compiler) {
        let _ = CURRENT.set(found);
    }

    /// The compiler this process already probed, if it did.
    pub(crate) fn known() -> Option<&'static Compiler> {
        CURRENT.get()
    }

    /// Asks `rustc` (both questions side by side).
    pub fn probe(cancel: &Cancel) -> Compiler {
        // Each thread is joined before the scope ends.
        let (version, sysroot) = std::thread::scope(|scope| {
            let sysroot = scope.spawn(|| ask(&["--print", "sysroot"], cancel));
            let version = Compiler::version(cancel);
            (version, sysroot.join().unwrap_or_default())
        });
        let sysroot = sysroot.trim();
        Compiler {
            version,
            sysroot: (!sysroot.is_empty()).then(|| PathBuf::from(sysroot)),
        }
    }

    /// What `rustc -vV` says now (empty if it cannot be run): enough to
    /// tell whether a remembered compiler is still the one.
    pub fn version(cancel: &Cancel) -> String {
        ask(&["-vV"], cancel)
    }

    /// The `rustc` binary to run: the sysroot's own (rustup's proxy would
    /// resolve the toolchain again on every call), unless `$RUSTC` names
    /// one.
    pub fn rustc(&self) -> PathBuf {
        if std::env::var_os("RUSTC").is_none()
            && let Some(own) = self.sysroot.as_ref().map(|s| s.join("bin/rustc"))
            && own.is_file()
        {
            return own;
        }
        super::rustc()
    }

    /// What the last probe in this context found, if any, and whether
    /// nothing that could change the answer changed since (see the
    /// module's doc): then it needs no asking again.
    pub fn remembered() -> Option<(Compiler, bool)> {
        let text = std::fs::read_to_string(memory_path()).ok()?;
        let (witnessed, rest) = text.split_once('\n')?;
        let (sysroot, version) = rest.split_once('\n')?;
        if version.is_empty() {
            return None;
        }
        let found = Compiler {
            version: version.to_string(),
            sysroot: (!sysroot.is_empty()).then(|| PathBuf::from(sysroot)),
        };
        let unchanged = found
            .witness()
            .is_some_and(|w| format!("{w:016x}") == witnessed);
        Some((found, unchanged))
    }

    /// Remembers `self` for the next check in this context (best effort:
    /// without it the next check probes first).
    pub fn remember(&self) {
        if self.version.is_empty() {
            return;
        }
        let path = memory_path();
        let sysroot = self.sysroot.as_deref().map(Path::to_string_lossy);
        let witness = self.witness().map(|w| format!("{w:016x}"));
        let text = format!(
            "{}\n{}\n{}",
            witness.unwrap_or_default(),
            sysroot.unwrap_or_default(),
            self.version
        );
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Written beside, then renamed: a reader never sees half of it.
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        if std::fs::write(&partial, text).is_ok() && std::fs::rename(&partial, &path).is_err() {
            let _ = std::fs::remove_file(&partial);
        }
    }

    /// The metadata of everything that picks or makes up this compiler
    /// (see the module's doc), hashed; `None` when its sysroot is unknown.
    fn witness(&self) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        use std::os::unix::fs::MetadataExt;
        let sysroot = self.sysroot.as_ref()?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut stat = |path: &Path| {
            let meta = std::fs::metadata(path).ok();
            path.hash(&mut h);
            meta.map(|m| (m.dev(), m.ino(), m.size(), m.mtime(), m.mtime_nsec()))
                .hash(&mut h);
        };
        stat(&on_path(&super::rustc())?);
        stat(&sysroot.join("bin/rustc"));
        stat(&sysroot.join("lib"));
        let rustup = std::env::var_os("RUSTUP_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")))?;
        stat(&rustup.join("settings.toml"));
        let cwd = std::env::current_dir().ok()?;
        for dir in cwd.ancestors() {
            stat(&dir.join("rust-toolchain"));
            stat(&dir.join("rust-toolchain.toml"));
        }
        Some(h.finish())
    }
}

/// Where `program` is found: itself if it names a path, else the first
/// match on `PATH`.
fn on_path(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return Some(program.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// What `rustc ARGS` prints, or nothing if it fails.
fn ask(args: &[&str], cancel: &Cancel) -> String {
    let mut cmd = Command::new(super::rustc());
    cmd.args(args);
    let limits = Limits {
        wall: PROBE_LIMIT,
        working_wall: PROBE_LIMIT,
        output_cap: 1 << 16,
        report_cap: 0,
        threads: None,
    };
    match supervisor::run(cmd, limits, None, cancel) {
        Ok(done) if done.ending == Ending::Exited(0) => {
            String::from_utf8_lossy(&done.stdout).into_owned()
        }
        _ => String::new(),
    }
}

/// Where the compiler of this context is remembered: what picks a
/// toolchain (`$RUSTC`, `$RUSTUP_TOOLCHAIN`, the directory with its
/// `rust-toolchain.toml`, `$PATH`) names the file.
fn memory_path() -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for var in ["RUSTC", "RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "PATH"] {
        std::env::var_os(var).hash(&mut h);
    }
    std::env::current_dir().ok().hash(&mut h);
    super::cache_root()
        .join("compilers")
        .join(format!("{:016x}", h.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_finds_the_installed_compiler_and_its_own_rustc() {
        let found = Compiler::probe(&Cancel::new());
        assert!(found.version.starts_with("rustc "), "{found:?}");
        let sysroot = found.sysroot.clone().expect("rustc names its sysroot");
        assert!(sysroot.join("lib").is_dir(), "{found:?}");
        let out = Command::new(found.rustc()).arg("-vV").output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), found.version);
    }
}
