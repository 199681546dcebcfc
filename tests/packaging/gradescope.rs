//! Gradescope: `setup.sh` and `run_autograder` against a fake
//! `/autograder`, as root without CAP_SYS_ADMIN.

use super::{Run, repo, run};
use serde_json::Value;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Generous: a cold harness build plus a grading on a busy 2-core machine.
const SETUP_SECS: u64 = 600;
const GRADE_SECS: u64 = 300;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A fake Gradescope machine: `root` is `/autograder`, `home` is where
/// setup.sh installs. Both under /tmp with every ancestor traversable, as
/// `/autograder` and `/opt` are, unless `hidden`: then `home` is inside a
/// folder only root may enter, as `/root` is.
struct Machine {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

/// What the autograder zip holds, exactly.
const ZIP_FILES: [&str; 4] = [
    "autograder.env",
    "run_autograder",
    "setup.sh",
    "submission.py",
];

impl Machine {
    fn new(hidden: bool) -> Machine {
        let dir = tempfile::Builder::new()
            .prefix("gradescope-")
            .tempdir_in(std::env::temp_dir())
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let root = dir.path().join("autograder");
        let home = if hidden {
            let private = dir.path().join("root");
            std::fs::create_dir(&private).unwrap();
            std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
            private.join("opt")
        } else {
            dir.path().join("opt")
        };
        let source = root.join("source");
        std::fs::create_dir_all(&source).unwrap();
        // The zip as make_autograder.sh builds it, unpacked as Gradescope does.
        let zip = dir.path().join("autograder.zip");
        let mut make = Command::new("bash");
        make.arg(repo("packaging/gradescope/make_autograder.sh"))
            .arg(&zip)
            .args(["counter", "https://git.invalid/threadlings.git", "v0"]);
        let out = run(make, 60);
        assert!(out.ok(), "make_autograder.sh failed:\n{out}");
        let mut unzip = Command::new("python3");
        unzip.args(["-m", "zipfile", "-e"]).arg(&zip).arg(&source);
        assert!(run(unzip, 60).ok());
        let mut names: Vec<String> = std::fs::read_dir(&source)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ZIP_FILES, "the zip holds these and nothing else");
        let env = std::fs::read_to_string(source.join("autograder.env")).unwrap();
        assert!(env.contains("\nTHREADLINGS_EXERCISE=counter\n"), "{env}");
        assert!(env.contains("\nTHREADLINGS_REF=v0\n"), "{env}");
        // Gradescope copies run_autograder to the root while building.
        std::fs::copy(source.join("run_autograder"), root.join("run_autograder")).unwrap();
        // Offline: the harness's crates come from this machine's registry.
        let cargo_home = std::env::var_os("CARGO_HOME").map_or_else(
            || Path::new(&std::env::var_os("HOME").unwrap()).join(".cargo"),
            PathBuf::from,
        );
        std::fs::create_dir_all(home.join("cargo")).unwrap();
        symlink(cargo_home.join("registry"), home.join("cargo/registry")).unwrap();
        Machine {
            _dir: dir,
            root,
            home,
        }
    }

    /// A script of the autograder, as root with CAP_SYS_ADMIN dropped from
    /// the bounding set (so also from everything it starts), with the bare
    /// environment of a container.
    fn script(&self, script: &Path) -> Command {
        let mut cmd = Command::new("capsh");
        cmd.arg("--drop=cap_sys_admin")
            .arg("--")
            .arg(script)
            .env_clear()
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("HOME", "/root")
            .env("AUTOGRADER_ROOT", &self.root)
            .env("THREADLINGS_HOME", &self.home);
        cmd
    }

    /// setup.sh with this machine's toolchain and the tool cargo built for
    /// these tests, from a source tree `src` (its pack/<id>/solution.rs is the reference).
    fn setup(&self, src: &Path) -> Run {
        let toolchain = threadlings::sandbox::rustc_sysroot().expect("rustc is installed");
        let mut cmd = self.script(&self.root.join("source/setup.sh"));
        cmd.env("THREADLINGS_TOOLCHAIN", toolchain)
            .env("THREADLINGS_SRC", src)
            .env("THREADLINGS_BIN", env!("CARGO_BIN_EXE_threadlings"));
        let started = std::time::Instant::now();
        let out = run(cmd, SETUP_SECS);
        eprintln!("setup.sh: {:.1} s", started.elapsed().as_secs_f64());
        out
    }

    /// Replaces the submission with what `fill` puts there, runs
    /// run_autograder and returns results.json.
    fn grade(&self, fill: impl FnOnce(&Path)) -> Value {
        let sub = self.root.join("submission");
        let _ = std::fs::remove_dir_all(&sub);
        let _ = std::fs::remove_dir_all(self.root.join("results"));
        std::fs::create_dir_all(&sub).unwrap();
        fill(&sub);
        let started = std::time::Instant::now();
        let out = run(self.script(&self.root.join("run_autograder")), GRADE_SECS);
        eprintln!("run_autograder: {:.1} s", started.elapsed().as_secs_f64());
        assert!(out.ok(), "run_autograder failed:\n{out}");
        let text = std::fs::read_to_string(self.root.join("results/results.json"))
            .unwrap_or_else(|e| panic!("no results.json ({e}):\n{out}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("results.json: {e}\n{text}"))
    }
}

fn corpus(rel: &str) -> PathBuf {
    repo("pack/counter/corpus").join(rel)
}

fn output(r: &Value) -> &str {
    r["output"].as_str().unwrap_or_default()
}

fn score(r: &Value) -> f64 {
    r["score"].as_f64().expect("a numeric score")
}

fn full_score(r: &Value) -> f64 {
    r["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["max_score"].as_f64().unwrap())
        .sum()
}

/// The status of every test in results.json.
fn statuses(r: &Value) -> impl Iterator<Item = &str> {
    r["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|t| t["status"].as_str().unwrap_or_default())
}

/// The protections results.json claims were active.
fn claimed(r: &Value) -> Vec<String> {
    let line = output(r)
        .lines()
        .find_map(|l| l.strip_prefix("Sandbox: active: "))
        .unwrap_or_else(|| panic!("no sandbox line in {}", output(r)));
    let active = line.split(';').next().unwrap().split(" (").next().unwrap();
    active.split(", ").map(str::to_string).collect()
}

/// A correct counter that checks, from inside the sandbox, every claimed
/// protection it can observe, and panics (so fails the `panic` check) when
/// one does not hold. `secret` is world-readable: only Landlock keeps it
/// from the sandbox's uid.
fn claims_probe(claims: &[String], secret: &Path) -> String {
    let base = std::fs::read_to_string(corpus("correct/std_mpsc.rs")).unwrap();
    let on = |name: &str| claims.iter().any(|c| c == name);
    let probe = format!(
        r#"
fn status_field(name: &str) -> Option<String> {{
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines().find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
}}
fn verify_claims() {{
    let mut wrong = Vec::new();
    if {uid} && status_field("Uid:").map_or(true, |u| u.starts_with("0\t") || u == "0") {{
        wrong.push("unprivileged-uid");
    }}
    if {fs} && std::fs::read({secret:?}).is_ok() {{ wrong.push("landlock-fs"); }}
    if {net} && std::net::TcpListener::bind("127.0.0.1:0").is_ok() {{ wrong.push("landlock-net"); }}
    // UDP (which Landlock does not cover) connects, sending nothing, to a
    // documentation address wherever a route exists: never in a fresh
    // network namespace, which has only a loopback that is down.
    if {netns} && std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9")).is_ok() {{
        wrong.push("net-namespace");
    }}
    if {pidns} && std::process::id() > 16 {{ wrong.push("pid-namespace"); }}
    if {userns} && std::fs::read_to_string("/proc/self/uid_map")
        .map_or(true, |m| m.split_whitespace().nth(2) == Some("4294967295")) {{
        wrong.push("user-namespace");
    }}
    if {rlimits} && std::fs::read_to_string("/proc/self/limits").map_or(true, |l| {{
        l.lines().any(|x| x.starts_with("Max address space") && x.contains("unlimited"))
    }}) {{
        wrong.push("rlimits");
    }}
    if !wrong.is_empty() {{ panic!("claimed but not true: {{wrong:?}}"); }}
}}
"#,
        uid = on("unprivileged-uid"),
        fs = on("landlock-fs"),
        net = on("landlock-net"),
        netns = on("net-namespace"),
        pidns = on("pid-namespace"),
        userns = on("user-namespace"),
        rlimits = on("rlimits"),
        secret = secret.display().to_string(),
    );
    let hooked = base.replacen(
        "let (tx, rx) = channel();",
        "verify_claims();\n        let (tx, rx) = channel();",
        1,
    );
    assert_ne!(hooked, base, "the probe hooks into Counter::start");
    hooked + &probe
}

#[test]
fn gradescope_end_to_end_without_cap_sys_admin() {
    if !is_root() {
        eprintln!("skipped: Gradescope runs the autograder as root; this test must too");
        return;
    }
    let capsh = Command::new("capsh").arg("--print").output();
    assert!(
        capsh.is_ok_and(|o| o.status.success()),
        "capsh (Debian's libcap2-bin) is missing: .ci/run installs it"
    );
    let m = Machine::new(false);

    let out = m.setup(&repo(""));
    assert!(out.ok(), "setup.sh failed:\n{out}");
    assert!(out.stderr.contains("earns every point"), "{out}");

    // The tool embeds the reference solutions: only root may enter its
    // folder, and no reference file is left where the sandbox can read.
    let private = std::fs::metadata(m.home.join("private")).unwrap();
    assert_eq!(private.permissions().mode() & 0o777, 0o700);
    let reference = std::fs::read_to_string(repo("pack/counter/solution.rs")).unwrap();
    for dir in [m.root.clone(), m.home.join("cache")] {
        for file in walk(&dir) {
            let text = std::fs::read(&file).unwrap_or_default();
            assert!(
                !text
                    .windows(reference.len())
                    .any(|w| w == reference.as_bytes()),
                "{} holds the reference solution",
                file.display()
            );
        }
    }

    let correct = m.grade(|sub| {
        std::fs::copy(corpus("correct/zero_capacity.rs"), sub.join("counter.rs")).unwrap();
    });
    assert!(
        output(&correct).starts_with("Graded counter.rs."),
        "{correct:#}"
    );
    assert_eq!(score(&correct), 100.0, "{correct:#}");
    assert_eq!(score(&correct), full_score(&correct));
    assert!(statuses(&correct).all(|s| s == "passed"), "{correct:#}");
    let claims = claimed(&correct);
    // Root without CAP_SYS_ADMIN cannot mount, so no claim of it; the
    // uid switch needs no CAP_SYS_ADMIN and must be there.
    assert!(!claims.iter().any(|c| c == "mount-namespace"), "{claims:?}");
    assert!(claims.iter().any(|c| c == "unprivileged-uid"), "{claims:?}");
    // Where the kernel gives the sandbox's uid a user namespace, the
    // network and PID namespaces are made inside it instead.
    if claims.iter().any(|c| c == "user-namespace") {
        for ns in ["net-namespace", "pid-namespace"] {
            assert!(claims.iter().any(|c| c == ns), "{ns} missing: {claims:?}");
        }
    }

    // A zipped folder holding a buggy counter.rs, another .rs file, a link
    // to a root-only file and an archiver's folder.
    let secret = m.root.join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-LINE").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let buggy = m.grade(|sub| {
        let proj = sub.join("my project");
        std::fs::create_dir_all(proj.join("src")).unwrap();
        std::fs::create_dir_all(sub.join("__MACOSX/my project")).unwrap();
        std::fs::write(sub.join("__MACOSX/my project/._counter.rs"), "junk").unwrap();
        std::fs::copy(corpus("buggy/unsigned_count.rs"), proj.join("counter.rs")).unwrap();
        std::fs::write(proj.join("notes.rs"), "// not the answer").unwrap();
        symlink(&secret, proj.join("stolen.rs")).unwrap();
    });
    let text = output(&buggy);
    assert!(
        text.starts_with("Graded my project/counter.rs."),
        "{buggy:#}"
    );
    assert!(
        text.contains("Not graded: my project/notes.rs."),
        "{buggy:#}"
    );
    assert!(
        text.contains("Not followed (links are never followed): my project/stolen.rs."),
        "{buggy:#}"
    );
    assert!(!buggy.to_string().contains("TOP-SECRET"), "{buggy:#}");
    assert!(score(&buggy) < full_score(&buggy), "{buggy:#}");
    assert!(statuses(&buggy).any(|s| s == "failed"), "{buggy:#}");

    // Two files, neither named counter.rs: the first by name is graded (and
    // said so). It is a probe that verifies every claimed protection.
    let readable_secret = m.root.join("source/readable-secret.txt");
    std::fs::write(&readable_secret, "world-readable").unwrap();
    std::fs::set_permissions(&readable_secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let probe = claims_probe(&claims, &readable_secret);
    let two = m.grade(|sub| {
        std::fs::write(sub.join("a_probe.rs"), &probe).unwrap();
        std::fs::copy(corpus("buggy/unsigned_count.rs"), sub.join("b_counter.rs")).unwrap();
    });
    assert!(
        output(&two).starts_with(
            "Graded a_probe.rs: your upload holds several .rs files and none is named counter.rs"
        ),
        "{two:#}"
    );
    assert!(
        output(&two).contains("Not graded: b_counter.rs."),
        "{two:#}"
    );
    assert_eq!(
        score(&two),
        full_score(&two),
        "a claimed protection is false: {two:#}"
    );
    assert_eq!(claimed(&two), claims);

    // Only a link: nothing is graded, nothing is read through it.
    let link = m.grade(|sub| symlink(&secret, sub.join("counter.rs")).unwrap());
    assert_eq!(score(&link), 0.0);
    assert!(output(&link).starts_with("Nothing was graded"), "{link:#}");
    assert!(!link.to_string().contains("TOP-SECRET"), "{link:#}");

    // The image build fails when the reference does not earn every point:
    // a wrong reference, or a toolchain where the sandbox's uid cannot
    // reach it (as under /root). Both reuse the harness built above.
    let wrong_src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(wrong_src.path().join("pack/counter")).unwrap();
    std::fs::copy(
        corpus("buggy/unsigned_count.rs"),
        wrong_src.path().join("pack/counter/solution.rs"),
    )
    .unwrap();
    let out = m.setup(wrong_src.path());
    assert!(
        !out.ok(),
        "setup.sh passed with a failing reference:\n{out}"
    );
    assert!(out.stderr.contains("did not earn every point"), "{out}");

    let hidden = Machine::new(true);
    symlink(m.home.join("cache"), hidden.home.join("cache")).unwrap();
    let out = hidden.setup(&repo(""));
    assert!(
        !out.ok(),
        "setup.sh passed with an unreachable toolchain:\n{out}"
    );
    assert!(out.stderr.contains("did not earn every point"), "{out}");
    // The results blame the autograder and claim no sandbox that never ran.
    assert!(out.stderr.contains("fault of the autograder"), "{out}");
    assert!(!out.stderr.contains("Sandbox:"), "{out}");
}

/// Every file beneath `dir`, links not followed.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                todo.push(e.path());
            } else if t.is_file() {
                files.push(e.path());
            }
        }
    }
    files
}
