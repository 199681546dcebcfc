//! Compiling a learner's file into a check program: refusing paths the
//! exercise forbids, then one supervised `rustc` that links the prebuilt
//! harness and the exercise's drivers.

use super::supervisor::{self, Cancel, Ending, Limits};
use super::{
    COMPILE_LIMIT, EngineError, Isolation, OUTPUT_CAP, diagnostics, exercise::Exercise, forbid,
    toolchain,
};
use crate::sandbox::{self, Policy, Protections};
use std::path::{Path, PathBuf};
use std::process::Command;

pub(super) enum Compiled {
    Binary(PathBuf),
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

/// What a check program links against: the prebuilt harness and its
/// dependencies, and the exercise's pack of drivers.
pub(super) struct Libraries<'a> {
    pub(super) prebuilt: &'a toolchain::Prebuilt,
    pub(super) pack: &'a Path,
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
    let glue_path = work.join(format!("check_{}.rs", exercise.id.replace('-', "_")));
    std::fs::write(&glue_path, exercise.glue_program(file)).map_err(|source| EngineError::Io {
        what: "cannot write the check program".into(),
        source,
    })?;
    let Libraries { prebuilt, pack } = libraries;
    let binary = work.join("check");
    let rustc = match (&isolation, sandbox::rustc_sysroot()) {
        // The toolchain's own rustc: the rustup proxy would need ~/.rustup.
        (Some(_), Some(sysroot)) if sysroot.join("bin/rustc").is_file() => {
            sysroot.join("bin/rustc")
        }
        _ => toolchain::rustc(),
    };
    let mut cmd = Command::new(rustc);
    // No optimisation: it makes the compile 3-4x faster (the harness and
    // crossbeam are prebuilt in release mode), keeps overflow checks on, and
    // a slower worker only makes races easier to expose.
    cmd.arg("--edition=2021")
        .args(["--crate-type", "bin", "--crate-name", "threadlings_check"])
        .args([
            "-C",
            "opt-level=0",
            "-C",
            "debuginfo=0",
            "-C",
            "overflow-checks=on",
        ])
        .args([
            "-C",
            "debug-assertions=on",
            "--error-format=human",
            "--color=never",
        ])
        .args(["-A", "warnings"])
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
        .arg("-o")
        .arg(&binary)
        .arg(&glue_path)
        .current_dir(work)
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
    let limits = Limits {
        wall: COMPILE_LIMIT,
        working_wall: COMPILE_LIMIT,
        output_cap: OUTPUT_CAP,
        report_cap: 0,
        threads: None,
    };
    let finished =
        supervisor::run(cmd, limits, None, cancel).map_err(|source| EngineError::Io {
            what: "cannot run rustc".into(),
            source,
        })?;
    Ok(match finished.ending {
        Ending::Exited(0) => Compiled::Binary(binary),
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
