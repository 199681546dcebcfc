//! Building the unchanging parts once and the learner's file every time.
//!
//! The check harness and its dependencies (crossbeam-channel, fastrand, and
//! `threadlings-channel`, the recording crossbeam-channel that a learner's
//! `use crossbeam_channel::...` resolves to) never change between checks, so
//! they are built once with cargo, in release mode, into a cache directory
//! keyed by their sources, the tool version and the compiler. Each check then compiles only a small generated
//! program that includes the learner's file, with a bare `rustc` call that
//! links against those prebuilt libraries. The harness sources come from
//! inside this binary, never from a file a learner could edit.

mod compiler;
mod prepare;

pub use compiler::Compiler;
pub use prepare::{Prepared, prepare};

use crate::engine::exercise::DriverCrate;
use crate::engine::supervisor::{self, Cancel, Ending, Limits};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long building the harness may take: minutes on a busy 2-core
/// machine with a cold cargo registry; a cargo that never ends is killed.
const BUILD_LIMIT: Duration = Duration::from_secs(30 * 60);

/// The harness crate's sources, embedded at build time (the list is
/// derived from `harness/src` by `build.rs`).
const HARNESS_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/harness_files.rs"));

/// The tool's own lock file, so the harness builds with the exact crate
/// versions the tool was tested with, offline when they are cached.
pub(crate) const LOCK_FILE: &str = include_str!("../../Cargo.lock");

/// Failures to prepare the toolchain: the tool's problem, not the learner's.
#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    /// A cache directory could not be created or written.
    #[error("cannot write the build cache at {path}: {source}")]
    Cache {
        /// The path that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `cargo` or `rustc` could not be started.
    #[error("cannot run `{program}` (is the Rust toolchain installed and on PATH?): {source}")]
    Spawn {
        /// The program that failed to start.
        program: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The harness failed to build.
    #[error("building the check harness failed:\n{0}")]
    HarnessBuild(String),
    /// A pack's drivers failed to build.
    #[error("building the exercise drivers failed:\n{0}")]
    PackBuild(String),
    /// The build was cancelled (the tutor is closing, or a newer check
    /// replaced the one that started it); the next call builds again.
    #[error("the build was cancelled")]
    Cancelled,
}

/// Prebuilt libraries a learner's check program links against.
#[derive(Debug, Clone)]
pub struct Prebuilt {
    /// The harness library (`libthreadlings_harness-*.rlib`).
    pub harness: PathBuf,
    /// What a learner's `crossbeam_channel` is: the recording shim
    /// (`libthreadlings_channel-*.rlib`), which has crossbeam-channel's API
    /// and delegates to it.
    pub crossbeam_channel: PathBuf,
    /// The real crossbeam-channel library, for the exercises' drivers: the
    /// tutor's own channels (a driver's rendezvous) are never recorded or
    /// held, as when the drivers lived in the harness crate.
    pub driver_channel: PathBuf,
    /// The fastrand library drivers use for seeded workloads.
    pub fastrand: PathBuf,
    /// The directory holding every dependency of the above.
    pub deps: PathBuf,
    /// The cache directory these live in (read-only for checks).
    pub root: PathBuf,
}

/// Where the cache lives: `$THREADLINGS_CACHE`, else the user's cache dir.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("THREADLINGS_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("threadlings")
}

fn fingerprint(compiler: &Compiler) -> String {
    use std::hash::{Hash, Hasher};
    // DefaultHasher is stable within one build of the tool, which is all a
    // cache key needs: a new tool version rebuilds anyway.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    HARNESS_FILES.hash(&mut h);
    LOCK_FILE.hash(&mut h);
    // This file decides how the cache is built and its manifest read: two
    // builds of the tool that differ here must not share a cache directory.
    include_str!("toolchain.rs").hash(&mut h);
    compiler.version.hash(&mut h);
    format!("{:016x}", h.finish())
}

/// What `rustc -vV` says (probed once per process).
pub(crate) fn rustc_version() -> String {
    Compiler::current().version.clone()
}

/// The `rustc` to use: `$RUSTC` when set (as cargo does), else from PATH.
pub fn rustc() -> PathBuf {
    std::env::var_os("RUSTC").map_or_else(|| PathBuf::from("rustc"), PathBuf::from)
}

pub(crate) fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Limits of a build of the cache: supervised like every child, with a
/// deadline no healthy build reaches.
fn build_limits(output_cap: usize) -> Limits {
    Limits {
        wall: BUILD_LIMIT,
        working_wall: BUILD_LIMIT,
        output_cap,
        report_cap: 0,
        threads: None,
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ToolchainError + '_ {
    move |source| ToolchainError::Cache {
        path: path.to_path_buf(),
        source,
    }
}

/// Returns the prebuilt harness, building it first if this machine has not
/// yet (one build per tool version and compiler; later calls are instant).
pub fn prebuilt() -> Result<Prebuilt, ToolchainError> {
    prebuilt_or_build(&Cancel::new()).map(|(found, _)| found)
}

/// The harness cache's directory for this tool and compiler; it changes
/// whenever the harness would be rebuilt, so it also names the tool.
pub fn harness_fingerprint() -> &'static str {
    static FINGERPRINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FINGERPRINT.get_or_init(|| fingerprint(Compiler::current()))
}

/// [`prebuilt`], cancellable, also saying whether it had to be built now.
///
/// Every caller, in this process or another, takes the cache's lock
/// before building: a check asked for while the tutor's background build
/// runs waits for that build and then finds its result.
pub fn prebuilt_or_build(cancel: &Cancel) -> Result<(Prebuilt, bool), ToolchainError> {
    prebuilt_for(Compiler::current(), cancel)
}

fn harness_root(compiler: &Compiler) -> PathBuf {
    cache_root().join(format!("harness-{}", fingerprint(compiler)))
}

/// The prebuilt harness for `compiler` and the drivers `drivers` if both
/// are in the cache already (a few file lookups; nothing is built).
pub fn ready(compiler: &Compiler, drivers: &DriverCrate) -> Option<(Prebuilt, PathBuf)> {
    let root = harness_root(compiler);
    let prebuilt = read_manifest(&root, &root.join("artifacts.txt"))?;
    let pack = pack_path(&prebuilt, drivers);
    pack.is_file().then_some((prebuilt, pack))
}

/// [`prebuilt_or_build`] for `compiler`, which must be the one `rustc`
/// and `cargo` run (the harness is built with them).
pub fn prebuilt_for(
    compiler: &Compiler,
    cancel: &Cancel,
) -> Result<(Prebuilt, bool), ToolchainError> {
    let root = harness_root(compiler);
    std::fs::create_dir_all(&root).map_err(io(&root))?;
    let manifest = root.join("artifacts.txt");
    if let Some(found) = read_manifest(&root, &manifest) {
        return Ok((found, false));
    }
    // Two tutors (or a grader's jobs) starting at once build it only once.
    let lock_path = root.join(".lock");
    let lock = std::fs::File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    if let Some(found) = read_manifest(&root, &manifest) {
        return Ok((found, false));
    }
    let src = root.join("src");
    for dir in ["src", "channel/src"] {
        std::fs::create_dir_all(src.join(dir)).map_err(io(&src))?;
    }
    for (name, text) in HARNESS_FILES {
        let path = src.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // Its own workspace, so a project around the cache cannot adopt it.
        let text = if *name == "Cargo.toml" {
            format!("{text}\n[workspace]\n")
        } else {
            text.to_string()
        };
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    let lock_copy = src.join("Cargo.lock");
    std::fs::write(&lock_copy, LOCK_FILE).map_err(io(&lock_copy))?;
    let built = build_harness(&src, &root.join("target"), cancel)?;
    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        built.harness.display(),
        built.crossbeam_channel.display(),
        built.driver_channel.display(),
        built.fastrand.display(),
        built.deps.display()
    );
    std::fs::write(&manifest, text).map_err(io(&manifest))?;
    Ok((Prebuilt { root, ..built }, true))
}

fn read_manifest(root: &Path, manifest: &Path) -> Option<Prebuilt> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let mut lines = text.lines().map(PathBuf::from);
    let found = Prebuilt {
        harness: lines.next()?,
        crossbeam_channel: lines.next()?,
        driver_channel: lines.next()?,
        fastrand: lines.next()?,
        deps: lines.next()?,
        root: root.to_path_buf(),
    };
    let libraries = [
        &found.harness,
        &found.crossbeam_channel,
        &found.driver_channel,
        &found.fastrand,
    ];
    libraries.iter().all(|p| p.exists()).then_some(found)
}

fn build_harness(src: &Path, target: &Path, cancel: &Cancel) -> Result<Prebuilt, ToolchainError> {
    let attempt = |offline: bool| {
        let mut cmd = Command::new(cargo());
        cmd.args(["build", "--release", "--lib", "--message-format=json"])
            .arg("--manifest-path")
            .arg(src.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target)
            // A workspace above the cache dir must not adopt this crate.
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
        if offline {
            cmd.arg("--offline");
        }
        // Supervised: its own process group, killed (with the rustc
        // processes it started) when cancelled or out of time.
        let limits = build_limits(16 << 20);
        let out =
            supervisor::run(cmd, limits, None, cancel).map_err(|source| ToolchainError::Spawn {
                program: "cargo".into(),
                source,
            })?;
        match out.ending {
            Ending::Cancelled => Err(ToolchainError::Cancelled),
            _ => Ok(out),
        }
    };
    let mut out = attempt(true)?;
    if out.ending != Ending::Exited(0) {
        out = attempt(false)?;
    }
    if out.ending != Ending::Exited(0) {
        return Err(ToolchainError::HarnessBuild(
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    let mut harness = None;
    let mut channel = None;
    let mut real_channel = None;
    let mut fastrand = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let name = msg["target"]["name"].as_str().unwrap_or_default();
        let rlib = msg["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .find(|f| f.ends_with(".rlib"))
            .map(PathBuf::from);
        match name {
            "threadlings_harness" => harness = rlib,
            "threadlings_channel" => channel = rlib,
            "crossbeam_channel" => real_channel = rlib,
            "fastrand" => fastrand = rlib,
            _ => {}
        }
    }
    match (harness, channel, real_channel, fastrand) {
        (Some(harness), Some(crossbeam_channel), Some(driver_channel), Some(fastrand)) => {
            let deps = crossbeam_channel
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            Ok(Prebuilt {
                harness,
                crossbeam_channel,
                driver_channel,
                fastrand,
                deps,
                root: PathBuf::new(),
            })
        }
        _ => Err(ToolchainError::HarnessBuild(
            "cargo did not report the harness, channel, crossbeam-channel and fastrand libraries"
                .into(),
        )),
    }
}

/// Where the driver crate of `drivers` is (or will be) in the cache.
fn pack_path(prebuilt: &Prebuilt, drivers: &DriverCrate) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    drivers.hash(&mut h);
    prebuilt
        .root
        .join("packs")
        .join(format!("{:016x}", h.finish()))
        .join("libthreadlings_pack.rlib")
}

/// Returns the pack's driver crate `threadlings_pack`, built against the
/// prebuilt harness (once per driver sources; later calls are instant).
/// It lives under the harness's cache directory, so sandboxed compiles
/// can read it.
pub fn pack_library(prebuilt: &Prebuilt, drivers: &DriverCrate) -> Result<PathBuf, ToolchainError> {
    pack_library_or_build(prebuilt, drivers, &Cancel::new()).map(|(rlib, _)| rlib)
}

/// [`pack_library`], cancellable, also saying whether it had to be built
/// now.
pub fn pack_library_or_build(
    prebuilt: &Prebuilt,
    drivers: &DriverCrate,
    cancel: &Cancel,
) -> Result<(PathBuf, bool), ToolchainError> {
    let rlib = pack_path(prebuilt, drivers);
    if rlib.is_file() {
        return Ok((rlib, false));
    }
    let dir = rlib.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let lock_path = dir.join(".lock");
    let lock = std::fs::File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    if rlib.is_file() {
        return Ok((rlib, false));
    }
    let mut lib = String::from(
        "//! The drivers of one exercise pack, one module per exercise (generated).\n",
    );
    for (module, source) in &drivers.modules {
        let path = dir.join(format!("{module}.rs"));
        std::fs::write(&path, source).map_err(io(&path))?;
        lib.push_str(&format!("pub mod {module};\n"));
    }
    let lib_path = dir.join("lib.rs");
    std::fs::write(&lib_path, lib).map_err(io(&lib_path))?;
    // Written beside, then renamed: a half-written library is never seen.
    let partial = dir.join("libthreadlings_pack.rlib.partial");
    let mut cmd = Command::new(rustc());
    cmd.args([
        "--edition=2021",
        "--crate-type",
        "rlib",
        "--crate-name",
        "threadlings_pack",
    ])
    .args(["-C", "opt-level=3", "--cap-lints", "allow"])
    .arg("--extern")
    .arg(format!(
        "threadlings_harness={}",
        prebuilt.harness.display()
    ))
    .arg("--extern")
    .arg(format!(
        "crossbeam_channel={}",
        prebuilt.driver_channel.display()
    ))
    .arg("--extern")
    .arg(format!("fastrand={}", prebuilt.fastrand.display()))
    .arg("-L")
    .arg(format!("dependency={}", prebuilt.deps.display()))
    .arg("-o")
    .arg(&partial)
    .arg(&lib_path)
    .current_dir(&dir);
    let limits = build_limits(1 << 20);
    let out =
        supervisor::run(cmd, limits, None, cancel).map_err(|source| ToolchainError::Spawn {
            program: "rustc".into(),
            source,
        })?;
    match out.ending {
        Ending::Exited(0) => {}
        Ending::Cancelled => return Err(ToolchainError::Cancelled),
        _ => {
            return Err(ToolchainError::PackBuild(
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
    }
    std::fs::rename(&partial, &rlib).map_err(io(&rlib))?;
    Ok((rlib, true))
}
