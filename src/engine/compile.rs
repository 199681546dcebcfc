//! Compiling a learner's file into a check program: refusing paths the
//! exercise forbids, then one supervised `rustc` that links the prebuilt
//! harness and the exercise's drivers.

use super::supervisor::{self, Cancel, Ending, Limits};
use super::{
    COMPILE_LIMIT, EngineError, Isolation, OUTPUT_CAP, diagnostics, exercise::Exercise, forbid,
    programs, toolchain,
};
use crate::sandbox::{self, Policy, Protections};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(super) enum Compiled {
    /// The program, and the file listing every input rustc read for it.
    Binary {
        binary: PathBuf,
        dep_info: PathBuf,
        glue: PathBuf,
    },
    Failed(String),
    /// The file uses a path the exercise forbids: the reason, in words.
    Refused(String),
    Cancelled,
}

/// Copies `from` to `to`, readable by everyone (the sandbox's uid).
pub(super) fn copy_readable(from: &Path, to: &Path) -> Result<(), EngineError> {
    use std::os::unix::fs::PermissionsExt;
    let io = |source| EngineError::Io {
        what: format!("cannot copy {} into its working directory", from.display()),
        source,
    };
    std::fs::copy(from, to).map_err(io)?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o644)).map_err(io)
}

/// The flags of every compile of a learner's file, besides the libraries,
/// paths and [`EMIT`]. No optimisation: it makes the compile 3-4x faster
/// (the harness and crossbeam are prebuilt in release mode), keeps
/// overflow checks on, and a slower worker only makes races easier to
/// expose.
pub(super) const FLAGS: &[&str] = &[
    "--edition=2021",
    "--crate-type",
    "bin",
    "--crate-name",
    "threadlings_check",
    "-C",
    "opt-level=0",
    "-C",
    "debuginfo=0",
    "-C",
    "overflow-checks=on",
    "-C",
    "debug-assertions=on",
    "--error-format=human",
    "--color=never",
    "-A",
    "warnings",
];

/// What a compile writes: the program, and the dep-info listing the files
/// rustc read (a `mod` beside the learner's file included), so a kept
/// program is reused only while they are unchanged.
pub(super) const EMIT: &str = "--emit=link,dep-info";

/// What a check-only compile writes: the crate's metadata, after the
/// same analysis as a full compile and so the same errors, but no code.
const EMIT_CHECK: &str = "--emit=metadata";

/// In a file's incremental directory while its last compile failed: the
/// next compile checks before it builds (see [`compile`]).
pub(super) const LAST_FAILED: &str = "last-failed";

/// What a check program links against: the prebuilt harness and its
/// dependencies, and the exercise's pack of drivers; and how to compile.
#[derive(Clone)]
pub(super) struct Libraries<'a> {
    pub(super) prebuilt: &'a toolchain::Prebuilt,
    pub(super) pack: &'a Path,
    /// The compiler the libraries were built with.
    pub(super) compiler: &'a toolchain::Compiler,
    /// rustc's incremental state for this file, kept between checks: an
    /// edit recompiles only what it changed (unsandboxed checks only).
    pub(super) incremental: Option<&'a Path>,
}

/// Where a compile with the incremental state in `dir` writes its
/// program (nothing there yet: a program linked out of it by an earlier
/// check keeps its own copy), and the lock held while it does.
fn incremental_output(dir: &Path) -> Result<(PathBuf, std::fs::File), EngineError> {
    let io = |source| EngineError::Io {
        what: format!("cannot use the incremental state in {}", dir.display()),
        source,
    };
    let lock = std::fs::File::create(dir.join(".lock")).map_err(io)?;
    lock.lock().map_err(io)?;
    let out = dir.join("out");
    std::fs::create_dir_all(&out).map_err(io)?;
    let path = out.join("check");
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        _ => {}
    }
    Ok((path, lock))
}

/// `-C incremental=DIR`.
fn incremental_arg(dir: &Path) -> std::ffi::OsString {
    let mut arg = std::ffi::OsString::from("incremental=");
    arg.push(dir);
    arg
}

/// Writes the glue program to `path` unless it holds it already; a
/// concurrent check of the same file reads either the old or the new
/// whole file.
fn write_glue(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, path)
}

/// A copy of `cmd` (program, arguments, directory and environment).
fn clone_command(cmd: &Command) -> Command {
    let mut copy = Command::new(cmd.get_program());
    copy.args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        copy.current_dir(dir);
    }
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => copy.env(key, value),
            None => copy.env_remove(key),
        };
    }
    copy
}

pub(super) fn compile(
    exercise: &Exercise,
    file: &Path,
    libraries: Libraries<'_>,
    work: &Path,
    isolation: Option<(&Isolation, &mut Option<Protections>)>,
    original_dir: Option<&Path>,
    cancel: &Cancel,
) -> Result<Compiled, EngineError> {
    if let Some(why) = refusal(exercise, file, original_dir) {
        return Ok(Compiled::Refused(why));
    }
    let Libraries {
        prebuilt,
        pack,
        compiler,
        incremental,
    } = libraries;
    // Beside the incremental state, at the same path every time: a glue
    // file rustc has not seen before would be compiled from scratch.
    let glue_dir = incremental.unwrap_or(work);
    let glue_path = glue_dir.join(format!("check_{}.rs", exercise.id.replace('-', "_")));
    write_glue(&glue_path, &exercise.glue_program(file)).map_err(|source| EngineError::Io {
        what: "cannot write the check program".into(),
        source,
    })?;
    let binary = work.join("check");
    // With incremental state, rustc writes to the same path every time
    // (another output path makes it start from scratch), one compile of
    // the file at a time; the program is then linked into `work`.
    let out = match incremental {
        Some(dir) => Some(incremental_output(dir)?),
        None => None,
    };
    let written = out.as_ref().map_or(&binary, |(path, _lock)| path);
    let rustc = match &isolation {
        // The toolchain's own rustc: the rustup proxy would need ~/.rustup.
        Some(_) => match sandbox::rustc_sysroot() {
            Some(sysroot) if sysroot.join("bin/rustc").is_file() => sysroot.join("bin/rustc"),
            _ => toolchain::rustc(),
        },
        None => compiler.rustc(),
    };
    let mut cmd = Command::new(rustc);
    cmd.args(FLAGS)
        .arg("--extern")
        .arg(format!(
            "threadlings_harness={}",
            prebuilt.harness.display()
        ))
        .arg("--extern")
        .arg(format!("threadlings_pack={}", pack.display()))
        .args(crossbeam_extern(exercise, prebuilt))
        .arg("-L")
        .arg(format!("dependency={}", prebuilt.deps.display()))
        .arg(&glue_path)
        // rustc's working directory is part of what its state is for.
        .current_dir(glue_dir)
        .env("TMPDIR", work);
    if let Some((isolation, active)) = isolation {
        if let (Some(copied), Some(original)) = (file.parent(), original_dir) {
            let mut remap = std::ffi::OsString::from("--remap-path-prefix=");
            remap.push(copied);
            remap.push("=");
            remap.push(original);
            cmd.arg(remap);
        }
        let policy = Policy::new(work, isolation.compile_limits.clone()).readable(&prebuilt.root);
        let applied = isolation
            .sandbox
            .apply(&mut cmd, &policy)
            .map_err(|source| EngineError::Sandbox {
                step: "compile".into(),
                source,
            })?;
        *active = Some(applied);
    }
    let run = |cmd: Command| {
        let limits = Limits {
            wall: COMPILE_LIMIT,
            working_wall: COMPILE_LIMIT,
            output_cap: OUTPUT_CAP,
            report_cap: 0,
            threads: None,
        };
        supervisor::run(cmd, limits, None, cancel).map_err(|source| EngineError::Io {
            what: "cannot run rustc".into(),
            source,
        })
    };
    let build = |mut cmd: Command| {
        cmd.arg(EMIT).arg("-o").arg(written);
        cmd
    };
    let finished = match incremental {
        Some(dir) => {
            let failed_before = dir.join(LAST_FAILED);
            // After a failed compile the next one often fails too: check
            // first, without codegen or incremental state to load and
            // save (as fast as a bare rustc), and build only code that
            // passes. The errors are the same as a full compile's; code
            // whose errors only code generation finds passes the check
            // and gets them from the build.
            let checked = if failed_before.exists() {
                let mut check = clone_command(&cmd);
                check
                    .arg(EMIT_CHECK)
                    .arg("-o")
                    .arg(work.join("check.rmeta"));
                Some(run(check)?)
            } else {
                None
            };
            let finished = match checked {
                Some(checked)
                    if !matches!(checked.ending, Ending::Exited(0) | Ending::Exited(101)) =>
                {
                    checked
                }
                _ => {
                    let plain = build(clone_command(&cmd));
                    let mut cmd = build(cmd);
                    cmd.arg("-C").arg(incremental_arg(&dir.join("rustc")));
                    let first = run(cmd)?;
                    // 101 is rustc's own crash (an incremental-state bug
                    // among them): forget that state and compile from
                    // scratch.
                    if first.ending == Ending::Exited(101) {
                        let _ = std::fs::remove_dir_all(dir.join("rustc"));
                        run(plain)?
                    } else {
                        first
                    }
                }
            };
            // Best effort: without the mark the next compile only builds
            // at once.
            match finished.ending {
                Ending::Exited(0) => {
                    let _ = std::fs::remove_file(&failed_before);
                }
                Ending::Exited(_) => {
                    let _ = std::fs::write(&failed_before, "");
                }
                _ => {}
            }
            finished
        }
        None => run(build(cmd))?,
    };
    if finished.ending == Ending::Exited(0) && written != &binary {
        programs::link_or_copy(written, &binary).map_err(|source| EngineError::Io {
            what: "cannot copy the compiled program into its working directory".into(),
            source,
        })?;
    }
    Ok(match finished.ending {
        Ending::Exited(0) => Compiled::Binary {
            dep_info: written.with_extension("d"),
            glue: glue_path,
            binary,
        },
        Ending::Cancelled => Compiled::Cancelled,
        Ending::TimedOut | Ending::StillWorking => Compiled::Failed(format!(
            "rustc did not finish within {} s",
            COMPILE_LIMIT.as_secs()
        )),
        _ => {
            let rustc = String::from_utf8_lossy(&finished.stderr);
            let glue = std::fs::read_to_string(&glue_path).unwrap_or_default();
            Compiled::Failed(diagnostics::explain_glue(
                &rustc,
                &glue_path.display().to_string(),
                &glue,
            ))
        }
    })
}

/// `--extern crossbeam_channel=...`, unless the exercise forbids it: then
/// the crate is not there at all, whatever the source does to reach it.
fn crossbeam_extern(exercise: &Exercise, prebuilt: &toolchain::Prebuilt) -> Vec<String> {
    if exercise.forbid.contains(&"crossbeam_channel") {
        return Vec::new();
    }
    vec![
        "--extern".into(),
        format!("crossbeam_channel={}", prebuilt.crossbeam_channel.display()),
    ]
}

/// Why `file` is refused before compiling, if it uses a path the exercise
/// forbids. Unreadable files are left for rustc to report.
fn refusal(exercise: &Exercise, file: &Path, original_dir: Option<&Path>) -> Option<String> {
    if exercise.forbid.is_empty() {
        return None;
    }
    let source = std::fs::read_to_string(file).ok()?;
    let found = forbid::first_use(&source, &exercise.forbid)?;
    let shown = match (original_dir, file.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => file.to_path_buf(),
    };
    Some(format!(
        "`{}` is not available in this exercise (used at {}:{}:{}): {}",
        found.path,
        shown.display(),
        found.line,
        found.column,
        exercise.forbid_why
    ))
}
