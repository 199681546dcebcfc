//! Time to verdict, measured the way a learner meets it, with the machine's
//! load average beside every figure (a busy machine stretches all of them;
//! the ratios, measured in the same run, are what to compare).
//!
//! 1. Cold start: `threadlings prepare` into a fresh cache, then, in a new
//!    project each time, `prepare` (which compiles the exercise files) and
//!    the first checks after it against a warm one.
//! 2. Pairs after an edit (a comment appended): `threadlings check` of each
//!    reference solution against `rustlings run move_semantics1` (rustlings
//!    6.5, installed once under `target/bench-tools/`, its exercises set up
//!    by `rustlings init` in a temporary directory: inside this repository
//!    it would add itself to the workspace; skipped with a message when it
//!    cannot be) and against an incremental `cargo build`
//!    + run of a one-file crossbeam program (the floor of compile-and-run).
//!
//!    Medians of the pairs, ratios, and CPU time per check.
//! 3. A compile error's verdict against a bare `rustc` of the same file.
//! 4. A re-run of unchanged content (the tutor's `r`) against a check.
//! 5. When each phase ends, counted from the end of the compile (the phases
//!    run side by side; the last one's time includes judging), per seed
//!    exercise, with the program reused so that only the run is timed.
//!
//! `cargo bench --bench verdict` (add `-- --pairs N`; default 7; `--only
//! cold,pairs,error,rerun,phases` for some sections; `--cache DIR` to start
//! from a built cache; `--bin PATH` to measure another build's binary;
//! `--phases` runs only part 5, in `$THREADLINGS_CACHE` as it is).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use threadlings::engine::programs::ProgramCache;
use threadlings::engine::{self, CheckOptions, Checked, toolchain};
use threadlings::exercise;

const BIN: &str = env!("CARGO_BIN_EXE_threadlings");

/// Wall and CPU time (user + system, of the children) of one command.
#[derive(Debug, Clone, Copy)]
struct Cost {
    wall: Duration,
    cpu: Duration,
}

/// CPU time (user + system) used by `who` (`RUSAGE_SELF`, `RUSAGE_CHILDREN`).
fn rusage(who: libc::c_int) -> Duration {
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// CPU time of the children waited for so far.
fn children_cpu() -> Duration {
    rusage(libc::RUSAGE_CHILDREN)
}

/// Runs `cmd` to its end (its output discarded); `ok` tells whether it
/// exited as expected.
fn timed(cmd: &mut Command, expect_success: bool) -> Cost {
    let cpu = children_cpu();
    let t = Instant::now();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("the command starts");
    let cost = Cost {
        wall: t.elapsed(),
        cpu: children_cpu().saturating_sub(cpu),
    };
    assert_eq!(
        status.status.success(),
        expect_success,
        "{cmd:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    cost
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn load() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!("load {}", text.split_whitespace().next().unwrap_or("?"))
}

fn append_comment(file: &Path, n: usize) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    writeln!(f, "// edit {n}").unwrap();
}

/// A series of costs, summarised.
struct Series {
    name: String,
    costs: Vec<Cost>,
}

impl Series {
    fn new(name: impl Into<String>) -> Series {
        Series {
            name: name.into(),
            costs: Vec::new(),
        }
    }
    fn wall(&self) -> Duration {
        median(self.costs.iter().map(|c| c.wall).collect())
    }
    fn cpu(&self) -> Duration {
        median(self.costs.iter().map(|c| c.cpu).collect())
    }
    fn print(&self) {
        println!(
            "  {:<44} {:>8} wall  {:>8} CPU  (median of {}, {})",
            self.name,
            ms(self.wall()),
            ms(self.cpu()),
            self.costs.len(),
            load()
        );
    }
}

fn ratio(a: &Series, b: &Series) -> f64 {
    a.wall().as_secs_f64() / b.wall().as_secs_f64()
}

/// The value after `flag` on the command line, if given.
fn arg(flag: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != flag).nth(1)
}

fn main() {
    let pairs: usize = arg("--pairs").and_then(|n| n.parse().ok()).unwrap_or(7);
    // `--only cold,pairs,error,rerun`: some of the sections (all by default).
    let only = arg("--only");
    let run = |section: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|s| s == section))
    };
    // `--bin PATH`: another build's binary (measuring the build before).
    let bin = arg("--bin").unwrap_or_else(|| BIN.to_string());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if std::env::args().any(|a| a == "--phases") {
        let work = tempfile::tempdir().unwrap();
        let ids = ["counter", "ledger", "graceful-shutdown"];
        let files: Vec<PathBuf> = ids
            .iter()
            .map(|id| {
                let file = work.path().join(format!("{}.rs", id.replace('-', "_")));
                std::fs::copy(root.join("pack").join(id).join("solution.rs"), &file).unwrap();
                file
            })
            .collect();
        phase_times(&ids, &files, pairs);
        return;
    }
    let tools = root.join("target/bench-tools");
    std::fs::create_dir_all(&tools).unwrap();
    let scratch = tempfile::tempdir().unwrap();

    // 1. Cold start: prepare into a fresh cache (`--cache DIR`: one built
    // already), then first checks after it.
    let given = arg("--cache").map(PathBuf::from);
    let cache = given
        .clone()
        .unwrap_or_else(|| scratch.path().join("cache"));
    // SAFETY-free: the benchmark is single-threaded at this point.
    unsafe { std::env::set_var("THREADLINGS_CACHE", &cache) };
    let bin = bin.as_str();
    let check_cmd = |id: &str, file: &Path| {
        let mut cmd = Command::new(bin);
        cmd.args(["check", id, "--file"])
            .arg(file)
            .env("THREADLINGS_CACHE", &cache);
        cmd
    };
    let prepare_cmd = |project: &Path| {
        let mut cmd = Command::new(bin);
        cmd.arg("prepare")
            .current_dir(project)
            .env("THREADLINGS_CACHE", &cache);
        cmd
    };
    let work = scratch.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let copy = |id: &str| {
        let file = work.join(format!("{}.rs", id.replace('-', "_")));
        std::fs::copy(root.join("pack").join(id).join("solution.rs"), &file).unwrap();
        file
    };
    if given.is_none() {
        // A fresh clone: the starters in place.
        let fresh = project(&root, &scratch.path().join("fresh"), None);
        let prepare = timed(&mut prepare_cmd(&fresh), true);
        println!(
            "cold start: threadlings prepare into a fresh cache  {} wall, {} CPU ({})",
            ms(prepare.wall),
            ms(prepare.cpu),
            load()
        );
        let warm_prepare = timed(&mut prepare_cmd(&fresh), true);
        println!(
            "            threadlings prepare again (warm)      {} wall ({})",
            ms(warm_prepare.wall),
            load()
        );
    } else {
        timed(&mut prepare_cmd(&root), true);
    }
    if run("cold") {
        first_checks(&root, scratch.path(), bin, &cache, pairs);
    }

    // 2. Pairs after an edit.
    if run("pairs") {
        pairs_after_edit(&tools, &check_cmd, &copy, pairs);
    }

    // 3. A compile error's verdict against a bare rustc of the same file.
    if run("error") {
        compile_error(&check_cmd, &work, pairs);
    }

    // 4. Re-running unchanged content, in-process as the tutor does.
    if run("rerun") {
        rerun(&copy("counter"), pairs);
    }

    // 5. The phases' wall time, from the end of the compile.
    if run("phases") {
        let ids = ["counter", "ledger", "graceful-shutdown"];
        let files: Vec<PathBuf> = ids.iter().map(|id| copy(id)).collect();
        phase_times(&ids, &files, pairs);
    }
}

/// A project at `dir` as a fresh clone has it (the exercises' starters,
/// an empty `lessons/`), with `solved`'s reference solution in place.
fn project(root: &Path, dir: &Path, solved: Option<&str>) -> PathBuf {
    std::fs::create_dir_all(dir.join("exercises")).unwrap();
    std::fs::create_dir_all(dir.join("lessons")).unwrap();
    for exercise in exercise::all() {
        let from = match solved {
            Some(id) if id == exercise.id => "solution.rs",
            _ => "starter.rs",
        };
        std::fs::copy(
            root.join("pack").join(exercise.id).join(from),
            dir.join(exercise.file),
        )
        .unwrap();
    }
    dir.to_path_buf()
}

/// The first checks after `prepare` in a new project each time (new
/// paths: nothing of them in the cache yet), against a warm check right
/// after: counter's reference solution after an edit (a comment), and
/// unchanged; and ledger's starter, which `prepare` compiled, replaced by
/// its solution (a learner's first real check).
fn first_checks(root: &Path, scratch: &Path, bin: &str, cache: &Path, pairs: usize) {
    let mut prepare = Series::new("prepare of a project (6 files, cache built)");
    let mut unchanged = Series::new("first check after prepare, unchanged");
    let mut first = Series::new("first check after prepare, after an edit");
    let mut warm = Series::new("warm check after an edit");
    let mut solved = Series::new("first check, ledger starter -> solution");
    let mut solved_warm = Series::new("warm check after an edit (ledger)");
    for n in 0..pairs {
        let dir = project(root, &scratch.join(format!("project-{n}")), Some("counter"));
        let ledger = dir.join("exercises/ledger.rs");
        let counter = dir.join("exercises/counter.rs");
        let cmd = |args: &[&str]| {
            let mut cmd = Command::new(bin);
            cmd.args(args)
                .current_dir(&dir)
                .env("THREADLINGS_CACHE", cache);
            cmd
        };
        prepare.costs.push(timed(&mut cmd(&["prepare"]), true));
        unchanged
            .costs
            .push(timed(&mut cmd(&["check", "counter"]), true));
        append_comment(&counter, n);
        first
            .costs
            .push(timed(&mut cmd(&["check", "counter"]), true));
        append_comment(&counter, n + 1000);
        warm.costs
            .push(timed(&mut cmd(&["check", "counter"]), true));
        std::fs::copy(root.join("pack/ledger/solution.rs"), &ledger).unwrap();
        solved
            .costs
            .push(timed(&mut cmd(&["check", "ledger"]), true));
        append_comment(&ledger, n);
        solved_warm
            .costs
            .push(timed(&mut cmd(&["check", "ledger"]), true));
    }
    println!("\nfirst checks after prepare ({pairs} new projects, interleaved):");
    for series in [&prepare, &unchanged, &first, &warm, &solved, &solved_warm] {
        series.print();
    }
    println!(
        "  first check after prepare / warm check (counter, edited)  {:.2}x",
        ratio(&first, &warm)
    );
    println!(
        "  first check after prepare / warm check (counter, unchanged)  {:.2}x",
        ratio(&unchanged, &warm)
    );
    println!(
        "  starter -> solution / warm check (ledger)  {:.2}x",
        ratio(&solved, &solved_warm)
    );
}

/// `threadlings check` of each reference solution after an edit, paired
/// with rustlings and with an incremental cargo build + run.
fn pairs_after_edit(
    tools: &Path,
    check_cmd: &dyn Fn(&str, &Path) -> Command,
    copy: &dyn Fn(&str) -> PathBuf,
    pairs: usize,
) {
    let rustlings_dir = tempfile::tempdir().unwrap();
    let rustlings = rustlings_setup(tools, rustlings_dir.path());
    let floor = crossbeam_floor(tools);
    let ids = ["counter", "ledger", "graceful-shutdown"];
    let files: Vec<PathBuf> = ids.iter().map(|id| copy(id)).collect();
    let mut checks: Vec<Series> = ids
        .iter()
        .map(|id| Series::new(format!("threadlings check {id} (after an edit)")))
        .collect();
    let mut rl = Series::new("rustlings run move_semantics1 (after an edit)");
    let mut cargo = Series::new("cargo build + run, one-file crossbeam program");
    for n in 0..pairs {
        for ((id, file), series) in ids.iter().zip(&files).zip(&mut checks) {
            append_comment(file, n);
            series.costs.push(timed(&mut check_cmd(id, file), true));
        }
        if let Some((dir, file)) = &rustlings {
            append_comment(file, n);
            let mut cmd = Command::new(tools.join("rustlings/bin/rustlings"));
            cmd.args(["run", "move_semantics1"]).current_dir(dir);
            rl.costs.push(timed(&mut cmd, true));
        }
        if let Some(dir) = &floor {
            append_comment(&dir.join("src/main.rs"), n);
            let mut cmd = Command::new("cargo");
            cmd.args(["run", "--quiet", "--offline"]).current_dir(dir);
            cargo.costs.push(timed(&mut cmd, true));
        }
    }
    println!("\nafter an edit ({pairs} pairs, interleaved):");
    for series in &checks {
        series.print();
    }
    if rl.costs.is_empty() {
        println!("  rustlings: skipped (see the message above)");
    } else {
        rl.print();
    }
    if !cargo.costs.is_empty() {
        cargo.print();
    }
    for series in &checks {
        if !rl.costs.is_empty() {
            println!("  {:<44} {:.2}x rustlings", series.name, ratio(series, &rl));
        }
        if !cargo.costs.is_empty() {
            println!(
                "  {:<44} {:.2}x cargo build + run",
                series.name,
                ratio(series, &cargo)
            );
        }
    }
}

/// rustlings 6.5 in `tools/rustlings`, initialised in `work` (outside any
/// cargo workspace), with `move_semantics1` solved: its directory and the
/// exercise file.
fn rustlings_setup(tools: &Path, work: &Path) -> Option<(PathBuf, PathBuf)> {
    let bin = tools.join("rustlings/bin/rustlings");
    if !bin.is_file() {
        println!(
            "installing rustlings 6.5.0 into {} (once)...",
            tools.display()
        );
        let ok = Command::new("cargo")
            .args(["install", "rustlings", "--version", "6.5.0", "--locked"])
            .arg("--root")
            .arg(tools.join("rustlings"))
            .status()
            .is_ok_and(|s| s.success());
        if !ok || !bin.is_file() {
            println!("rustlings could not be installed: its comparison is skipped");
            return None;
        }
    }
    let dir = work.join("rustlings");
    if !dir.is_dir() {
        let ok = Command::new(&bin)
            .arg("init")
            .current_dir(work)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!("`rustlings init` failed: its comparison is skipped");
            return None;
        }
    }
    let file = dir.join("exercises/06_move_semantics/move_semantics1.rs");
    let text = std::fs::read_to_string(&file).ok()?;
    // The exercise's fix: the vector must be mutable to be pushed to.
    std::fs::write(
        &file,
        text.replace("    let vec = vec;", "    let mut vec = vec;"),
    )
    .ok()?;
    Some((dir, file))
}

/// A one-file cargo program using crossbeam-channel, built once.
fn crossbeam_floor(tools: &Path) -> Option<PathBuf> {
    let dir = tools.join("crossbeam-floor");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"floor\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\ncrossbeam-channel = \"0.5\"\n\n[workspace]\n",
    )
    .unwrap();
    // Only the first time: later runs keep appending to it.
    if !dir.join("src/main.rs").is_file() {
        std::fs::write(
            dir.join("src/main.rs"),
            "fn main() {\n    let (tx, rx) = crossbeam_channel::unbounded();\n    \
             let owner = std::thread::spawn(move || rx.iter().sum::<u64>());\n    \
             for i in 0..1000 {\n        tx.send(i).unwrap();\n    }\n    drop(tx);\n    \
             println!(\"{}\", owner.join().unwrap());\n}\n",
        )
        .unwrap();
    }
    let ok = Command::new("cargo")
        .args(["build", "--quiet", "--offline"])
        .current_dir(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(dir)
    } else {
        println!("the crossbeam program does not build offline: its comparison is skipped");
        None
    }
}

fn compile_error(check_cmd: &dyn Fn(&str, &Path) -> Command, work: &Path, pairs: usize) {
    let broken = work.join("broken_counter.rs");
    let prebuilt = toolchain::prebuilt().unwrap();
    let mut verdict = Series::new("threadlings check, a type error");
    let mut bare = Series::new("bare rustc of the same file (lib)");
    // `--before PATH`: the same check by another build, in the same pairs.
    let before_bin = arg("--before");
    let mut before = Series::new("the same check, build before");
    let out = tempfile::tempdir().unwrap();
    for n in 0..pairs {
        let text = exercise::find("counter").unwrap().reference.replace(
            "pub fn get(&self) -> i64 {",
            "pub fn get(&self) -> i64 {\n        let _oops: u8 = \"not a number\";",
        );
        std::fs::write(&broken, format!("{text}\n// edit {n}\n")).unwrap();
        // Exit 1: the compile check failed.
        let failing = |mut cmd: Command| {
            let cpu = children_cpu();
            let t = Instant::now();
            let status = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .unwrap();
            assert_eq!(status.code(), Some(1), "a compile failure exits 1");
            Cost {
                wall: t.elapsed(),
                cpu: children_cpu().saturating_sub(cpu),
            }
        };
        verdict.costs.push(failing(check_cmd("counter", &broken)));
        if let Some(bin) = &before_bin {
            let mut cmd = check_cmd("counter", &broken);
            let mut other = Command::new(bin);
            other.args(cmd.get_args());
            for (key, value) in cmd.get_envs() {
                if let Some(value) = value {
                    other.env(key, value);
                }
            }
            cmd = other;
            before.costs.push(failing(cmd));
        }
        let mut rustc = Command::new(toolchain::rustc());
        rustc
            .args(["--edition=2021", "--crate-type", "lib", "-C", "opt-level=0"])
            .arg("--extern")
            .arg(format!(
                "crossbeam_channel={}",
                prebuilt.crossbeam_channel.display()
            ))
            .arg("-L")
            .arg(format!("dependency={}", prebuilt.deps.display()))
            .arg("--out-dir")
            .arg(out.path())
            .arg(&broken);
        bare.costs.push(timed(&mut rustc, false));
    }
    println!("\na compile error ({pairs} pairs):");
    verdict.print();
    bare.print();
    println!(
        "  compile-error verdict / bare rustc           {:.2}x",
        ratio(&verdict, &bare)
    );
    if !before.costs.is_empty() {
        before.print();
        println!(
            "  the same, build before / bare rustc          {:.2}x",
            ratio(&before, &bare)
        );
    }
}

fn rerun(file: &Path, pairs: usize) {
    let counter = exercise::find("counter").unwrap();
    let options = CheckOptions {
        programs: Some(ProgramCache::new()),
        ..CheckOptions::new()
    };
    let mut check = Series::new("check after an edit (in-process)");
    let mut again = Series::new("re-run, content unchanged (r)");
    for n in 0..pairs {
        append_comment(file, 1000 + n);
        for series in [&mut check, &mut again] {
            let cpu = self_cpu();
            let t = Instant::now();
            let Checked::Done(report) = engine::check(counter, file, &options).unwrap() else {
                unreachable!("not cancelled")
            };
            assert!(report.passed, "{}", report.to_json());
            series.costs.push(Cost {
                wall: t.elapsed(),
                cpu: self_cpu().saturating_sub(cpu),
            });
        }
    }
    println!("\nre-running without recompiling ({pairs} pairs; CPU: children + this process):");
    check.print();
    again.print();
    println!(
        "  re-run / check                               {:.2}x",
        ratio(&again, &check)
    );
}

/// When each phase of each exercise ends after the compile (the program
/// reused, so the run alone is timed): medians of `pairs` checks.
fn phase_times(ids: &[&str], files: &[PathBuf], pairs: usize) {
    use std::sync::{Arc, Mutex};
    println!("\nphases' wall time from the end of the compile ({pairs} runs each, medians):");
    for (id, file) in ids.iter().zip(files) {
        let exercise = exercise::find(id).unwrap();
        let ended: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let sink = {
            let ended = Arc::clone(&ended);
            engine::ProgressSink::new(move |progress| {
                let name = match progress {
                    engine::Progress::Compiled(_) => "compile".to_string(),
                    engine::Progress::PhaseEnded { phase, .. } => phase,
                };
                ended.lock().unwrap().push((name, Instant::now()));
            })
        };
        let options = CheckOptions {
            programs: Some(ProgramCache::new()),
            progress: Some(sink),
            ..CheckOptions::new()
        };
        let mut per_phase: Vec<(String, Vec<Duration>)> = Vec::new();
        let mut cpu = Vec::new();
        // One run first to compile; the timed ones reuse its program.
        for n in 0..=pairs {
            ended.lock().unwrap().clear();
            let before = self_cpu();
            let Checked::Done(report) = engine::check(exercise, file, &options).unwrap() else {
                unreachable!("not cancelled")
            };
            assert!(report.passed, "{}", report.to_json());
            if n == 0 {
                continue;
            }
            cpu.push(self_cpu().saturating_sub(before));
            let ended = ended.lock().unwrap();
            let compiled = ended[0].1;
            for (name, at) in &ended[1..] {
                let slot = match per_phase.iter_mut().find(|(p, _)| p == name) {
                    Some(slot) => slot,
                    None => {
                        per_phase.push((name.clone(), Vec::new()));
                        per_phase.last_mut().unwrap()
                    }
                };
                slot.1.push(*at - compiled);
            }
        }
        let phases: Vec<String> = per_phase
            .into_iter()
            .map(|(name, times)| format!("{name} {}", ms(median(times))))
            .collect();
        println!(
            "  {id:<18} {}  (CPU per run {}, {})",
            phases.join(", "),
            ms(median(cpu)),
            load()
        );
    }
}

/// CPU time of this process and the children waited for so far.
fn self_cpu() -> Duration {
    rusage(libc::RUSAGE_SELF) + children_cpu()
}
