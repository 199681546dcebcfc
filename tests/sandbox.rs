//! Integration tests of `threadlings::sandbox`: each runs real programs
//! through the sandbox and checks the effect.

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use threadlings::sandbox::{Limits, Policy, Protections, Sandbox, rustc_sysroot};

struct Out {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// The test's own deadline fired (its kill, not the sandbox's limits).
    timed_out: bool,
}

/// Applies the sandbox, spawns, and waits at most `secs` (then kills the
/// process group, as the engine does).
fn run(mut cmd: Command, policy: &Policy, secs: u64) -> Out {
    let p = Sandbox::probe().apply(&mut cmd, policy).expect("apply");
    assert!(p.rlimits);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn");
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = so.read_to_string(&mut s);
        s
    });
    let t2 = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = se.read_to_string(&mut s);
        s
    });
    let deadline = start + Duration::from_secs(secs);
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            timed_out = true;
            // SAFETY: plain kill of the child's process group.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    Out {
        status,
        stdout: t1.join().unwrap(),
        stderr: t2.join().unwrap(),
        elapsed,
        timed_out,
    }
}

fn sh(dir: &Path, script: &str) -> Command {
    let mut c = Command::new("/bin/sh");
    c.arg("-c").arg(script).current_dir(dir);
    c
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("sbx-test-")
        .tempdir()
        .unwrap()
}

fn full_protection_expected() -> bool {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn probe_reports_and_serialises() {
    let sb = Sandbox::probe();
    let p = sb.protections();
    eprintln!(
        "sandbox: {sb:?}\nprotections: {}",
        serde_json::to_string(&p).unwrap()
    );
    let back: Protections = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
    assert!(std::ptr::eq(sb, Sandbox::probe()), "probe is cached");
    if full_protection_expected() {
        // As root on a kernel with these features (the development machine).
        assert!(p.rlimits && p.unprivileged_uid);
        assert!(p.net_namespace && p.pid_namespace, "{p:?}");
    }
}

#[test]
fn exit_status_is_mirrored() {
    let dir = tempdir();
    let policy = Policy::new(dir.path(), Limits::for_run());
    let out = run(sh(dir.path(), "echo hello; exit 7"), &policy, 10);
    assert_eq!(out.status.code(), Some(7), "{}", out.stderr);
    assert_eq!(out.stdout, "hello\n");
    let out = run(sh(dir.path(), "kill -TERM $$"), &policy, 10);
    assert_eq!(out.status.signal(), Some(libc::SIGTERM));
    // A failing exec is reported by spawn.
    let mut cmd = Command::new("/nonexistent-program");
    cmd.current_dir(dir.path());
    Sandbox::probe().apply(&mut cmd, &policy).unwrap();
    assert!(cmd.spawn().is_err());
}

#[test]
fn filesystem_writes_confined_to_own_dir() {
    if Sandbox::probe().landlock_abi == 0 {
        eprintln!("skipped: no Landlock on this kernel");
        return;
    }
    let parent = tempdir();
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let own = parent.path().join("own");
    std::fs::create_dir(&own).unwrap();
    let outside = format!("/tmp/outside-file-{}", std::process::id());
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let home_file = format!("{home}/sbx-home-probe-{}", std::process::id());
    let script = format!(
        "echo x > own-file && echo OWN_OK; \
         echo x > {home_file} && echo BAD_HOME; \
         echo x > {outside} && echo BAD_TMP; \
         echo x > ../escape && echo BAD_PARENT; \
         mkdir sub && echo x > sub/f && echo SUB_OK"
    );
    let out = run(sh(&own, &script), &Policy::new(&own, Limits::for_run()), 10);
    assert!(
        out.stdout.contains("OWN_OK"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(
        out.stdout.contains("SUB_OK"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stdout.contains("BAD"), "{}", out.stdout);
    assert!(own.join("own-file").exists());
    assert!(!Path::new(&outside).exists());
    assert!(!Path::new(&home_file).exists());
    assert!(!parent.path().join("escape").exists());
}

#[test]
fn filesystem_reads_of_other_dirs_fail() {
    if Sandbox::probe().landlock_abi == 0 {
        eprintln!("skipped: no Landlock on this kernel");
        return;
    }
    let own = tempdir();
    let other = tempdir();
    // Make DAC permissive, so only the sandbox stands in the way.
    std::fs::set_permissions(other.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let secret = other.path().join("secret.rs");
    std::fs::write(&secret, "SECRET").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
    let script = format!(
        "cat {} && echo BAD_OTHER; ls {} && echo BAD_LS; cat /etc/passwd && echo BAD_PASSWD; \
         ls /usr/bin >/dev/null && echo USR_OK",
        secret.display(),
        other.path().display()
    );
    let out = run(
        sh(own.path(), &script),
        &Policy::new(own.path(), Limits::for_run()),
        10,
    );
    assert!(
        out.stdout.contains("USR_OK"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stdout.contains("BAD"), "{}", out.stdout);
    assert!(!out.stdout.contains("SECRET"));
}

fn sandboxed_rustc(dir: &Path, file: &str) -> Out {
    let sysroot = rustc_sysroot().expect("rustc sysroot");
    let mut cmd = Command::new(sysroot.join("bin/rustc"));
    cmd.args(["--edition", "2021", "-O", file, "-o", "prog"])
        .current_dir(dir);
    run(cmd, &Policy::new(dir, Limits::for_compile()), 300)
}

#[test]
fn compile_step_works_and_is_confined() {
    if Sandbox::probe().landlock_abi == 0 {
        eprintln!("skipped: no Landlock on this kernel");
        return;
    }
    if rustc_sysroot().is_none() {
        eprintln!("skipped: no rustc");
        return;
    }
    let other = tempdir();
    std::fs::set_permissions(other.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(other.path().join("theirs.rs"), "fn main() {}").unwrap();
    std::fs::set_permissions(
        other.path().join("theirs.rs"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();

    let dir = tempdir();
    std::fs::write(
        dir.path().join("good.rs"),
        "fn main() { let h = std::thread::spawn(|| 40 + 2); println!(\"answer {}\", h.join().unwrap()); }",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("passwd.rs"),
        "const S: &str = include_str!(\"/etc/passwd\"); fn main() { println!(\"{S}\"); }",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("theirs.rs"),
        format!(
            "const S: &str = include_str!(\"{}/theirs.rs\"); fn main() {{ println!(\"{{S}}\"); }}",
            other.path().display()
        ),
    )
    .unwrap();

    let out = sandboxed_rustc(dir.path(), "good.rs");
    assert!(out.status.success(), "good.rs failed: {}", out.stderr);
    let run_out = run(
        Command::new(dir.path().join("prog")),
        &Policy::new(dir.path(), Limits::for_run()),
        10,
    );
    assert_eq!(run_out.stdout, "answer 42\n", "{}", run_out.stderr);

    for bad in ["passwd.rs", "theirs.rs"] {
        let out = sandboxed_rustc(dir.path(), bad);
        assert!(!out.status.success(), "{bad} compiled");
        assert!(
            out.stderr.contains("couldn't read"),
            "{bad}: {}",
            out.stderr
        );
    }
}

#[test]
fn network_is_cut() {
    let sb = Sandbox::probe();
    let p = sb.protections();
    if !p.net_namespace && !p.landlock_net {
        eprintln!("skipped: neither network namespaces nor Landlock TCP rules here");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempdir();
    let mut cmd = Command::new("/bin/bash");
    cmd.arg("-c")
        .arg(format!(
            "echo hi > /dev/tcp/127.0.0.1/{port} && echo CONNECTED"
        ))
        .current_dir(dir.path());
    let out = run(cmd, &Policy::new(dir.path(), Limits::for_run()), 10);
    assert!(!out.stdout.contains("CONNECTED"), "{}", out.stdout);
    assert!(!out.status.success());
    assert!(listener.accept().is_err(), "the listener saw a connection");
}

fn procs_with_marker(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if let Ok(cmdline) = std::fs::read(e.path().join("cmdline"))
            && String::from_utf8_lossy(&cmdline).contains(marker)
        {
            found.push(pid);
        }
    }
    found
}

#[test]
fn setsid_grandchildren_die_with_the_run() {
    if !Sandbox::probe().protections().pid_namespace {
        eprintln!("skipped: no PID namespace available");
        return;
    }
    let marker = format!("sbx-marker-{}", std::process::id());
    let dir = tempdir();
    let script = format!(
        "(setsid sh -c 'sleep 30; echo {marker}' > /dev/null 2>&1 &); sleep 0.2; echo started"
    );
    let out = run(
        sh(dir.path(), &script),
        &Policy::new(dir.path(), Limits::for_run()),
        25,
    );
    assert!(out.stdout.contains("started"), "{}", out.stderr);
    // The grandchild sleeps 30 s: a run that ended by itself before the
    // 25 s deadline did not wait for it, however loaded the machine is.
    assert!(!out.timed_out, "{:?}", out.elapsed);
    let deadline = Instant::now() + Duration::from_secs(2);
    while !procs_with_marker(&marker).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        procs_with_marker(&marker).is_empty(),
        "the setsid grandchild survived"
    );
}

#[test]
fn engine_deadline_kill_takes_the_whole_tree() {
    if !Sandbox::probe().protections().pid_namespace {
        eprintln!("skipped: no PID namespace available");
        return;
    }
    let marker = format!("sbx-deadline-{}", std::process::id());
    let dir = tempdir();
    let script = format!("(setsid sh -c 'sleep 30; echo {marker}' > /dev/null 2>&1 &); sleep 30");
    let out = run(
        sh(dir.path(), &script),
        &Policy::new(dir.path(), Limits::for_run()),
        1,
    );
    assert_eq!(out.status.signal(), Some(libc::SIGKILL));
    // Both sleeps last 30 s: returning well before that means the kill took
    // the tree and nothing waited for the setsid grandchild.
    assert!(out.elapsed < Duration::from_secs(25), "{:?}", out.elapsed);
    let deadline = Instant::now() + Duration::from_secs(2);
    while !procs_with_marker(&marker).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        procs_with_marker(&marker).is_empty(),
        "the setsid grandchild survived"
    );
}

/// A small multi-purpose program, compiled once (outside the sandbox).
fn tool() -> Option<&'static Path> {
    static TOOL: OnceLock<Option<PathBuf>> = OnceLock::new();
    TOOL.get_or_init(|| {
        let sysroot = rustc_sysroot()?;
        // Cargo's scratch dir for integration tests (a static TempDir would
        // never be removed).
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-tool");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let src = dir.join(format!("tool-{}.rs", std::process::id()));
        std::fs::write(&src, TOOL_SRC).unwrap();
        let bin = dir.join(format!("tool-{}", std::process::id()));
        let st = Command::new(sysroot.join("bin/rustc"))
            .args(["--edition", "2021", "-O"])
            .arg(&src)
            .arg("-o")
            .arg(&bin)
            .status()
            .unwrap();
        assert!(st.success());
        let _ = std::fs::remove_file(&src);
        // Binaries of earlier test runs.
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.path() != bin {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Some(bin)
    })
    .as_deref()
}

const TOOL_SRC: &str = r#"
use std::time::Duration;
fn main() {
    let mode = std::env::args().nth(1).unwrap();
    match mode.as_str() {
        "threads" => {
            let n: usize = std::env::args().nth(2).unwrap().parse().unwrap();
            let mut hs = Vec::new();
            let mut failed = 0;
            for _ in 0..n {
                match std::thread::Builder::new().spawn(|| std::thread::sleep(Duration::from_millis(300))) {
                    Ok(h) => hs.push(h),
                    Err(_) => failed += 1,
                }
            }
            let ok = hs.len();
            for h in hs { h.join().unwrap(); }
            println!("spawned {ok} failed {failed}");
        }
        "forks" => {
            let mut cs = Vec::new();
            let mut failed = 0;
            for _ in 0..300 {
                match std::process::Command::new("/bin/sleep").arg("1").spawn() {
                    Ok(c) => cs.push(c),
                    Err(_) => failed += 1,
                }
            }
            let ok = cs.len();
            for mut c in cs { let _ = c.wait(); }
            println!("spawned {ok} failed {failed}");
        }
        "memory" => {
            let mut keep: Vec<Vec<u8>> = Vec::new();
            for i in 0..64 {
                let mut v = vec![0u8; 64 << 20];
                v[i] = 1;
                keep.push(v);
            }
            println!("survived {}", keep.len());
        }
        "honest" => {
            let hs: Vec<_> = (0..50).map(|i| std::thread::spawn(move || {
                let v = vec![i as u64; 1 << 17];
                std::thread::sleep(Duration::from_millis(50));
                v.iter().sum::<u64>()
            })).collect();
            let total: u64 = hs.into_iter().map(|h| h.join().unwrap()).sum();
            println!("total {total}");
        }
        "spin" => loop { std::hint::spin_loop() },
        _ => panic!("mode"),
    }
}
"#;

/// The deadline is a safety net, not the thing under test: a limit the
/// sandbox sets must be what ends a run, even when the machine is so loaded
/// that one second of CPU takes a minute of wall time.
fn tool_run(args: &[&str], limits: Limits) -> Option<Out> {
    let Some(tool) = tool() else {
        eprintln!("skipped: no rustc to build the test program");
        return None;
    };
    let dir = tempdir();
    let mut cmd = Command::new(tool);
    cmd.args(args).current_dir(dir.path());
    let policy = Policy::new(dir.path(), limits).readable(tool.parent().unwrap());
    Some(run(cmd, &policy, 300))
}

#[test]
fn thread_bomb_hits_the_process_limit() {
    if !Sandbox::probe().protections().unprivileged_uid {
        eprintln!("skipped: runs as root without a way to drop it; RLIMIT_NPROC cannot bind");
        return;
    }
    let limits = Limits {
        processes: 20,
        ..Limits::for_run()
    };
    let Some(out) = tool_run(&["threads", "1000"], limits) else {
        return;
    };
    assert!(out.status.success(), "{}", out.stderr);
    let words: Vec<&str> = out.stdout.split_whitespace().collect();
    let spawned: usize = words[1].parse().unwrap();
    let failed: usize = words[3].parse().unwrap();
    assert!(spawned < 20, "{}", out.stdout);
    assert!(failed > 900, "{}", out.stdout);
    assert!(!out.timed_out);
}

#[test]
fn fork_bomb_hits_the_process_limit() {
    if !Sandbox::probe().protections().unprivileged_uid {
        eprintln!("skipped: runs as root without a way to drop it; RLIMIT_NPROC cannot bind");
        return;
    }
    let limits = Limits {
        processes: 20,
        ..Limits::for_run()
    };
    let Some(out) = tool_run(&["forks"], limits) else {
        return;
    };
    assert!(out.status.success(), "{}", out.stderr);
    let words: Vec<&str> = out.stdout.split_whitespace().collect();
    let spawned: usize = words[1].parse().unwrap();
    assert!(spawned < 20, "{}", out.stdout);
    // A shell fork bomb, bounded anyway, also fails to fork.
    let dir = tempdir();
    let out = run(
        sh(
            dir.path(),
            "i=0; while [ $i -lt 200 ]; do sleep 1 & i=$((i+1)); done; wait",
        ),
        &Policy::new(
            dir.path(),
            Limits {
                processes: 20,
                ..Limits::for_run()
            },
        ),
        15,
    );
    assert!(out.stderr.to_lowercase().contains("fork"), "{}", out.stderr);
}

#[test]
fn memory_bomb_is_stopped() {
    let Some(out) = tool_run(&["memory"], Limits::for_run()) else {
        return;
    };
    assert!(!out.status.success());
    assert!(!out.stdout.contains("survived"), "{}", out.stdout);
}

#[test]
fn cpu_limit_kills_a_spinner() {
    let limits = Limits {
        cpu_seconds: 1,
        ..Limits::for_run()
    };
    let Some(out) = tool_run(&["spin"], limits) else {
        return;
    };
    assert!(!out.status.success());
    // RLIMIT_CPU sends SIGXCPU at the soft limit and SIGKILL at the hard one;
    // the test's own deadline did not fire, so it was the limit.
    let signal = out.status.signal();
    assert!(
        signal == Some(libc::SIGXCPU) || signal == Some(libc::SIGKILL),
        "{:?}",
        out.status
    );
    assert!(!out.timed_out, "{:?}", out.elapsed);
}

#[test]
fn honest_fifty_threads_work() {
    let Some(out) = tool_run(&["honest"], Limits::for_run()) else {
        return;
    };
    assert!(out.status.success(), "{}", out.stderr);
    let expected: u64 = (0..50u64).map(|i| i * (1 << 17)).sum();
    assert_eq!(out.stdout, format!("total {expected}\n"));
}

/// Measures `apply` + spawn + wait of `/bin/true` against a bare spawn.
/// Run with `cargo test --test sandbox overhead -- --ignored --nocapture`.
#[test]
#[ignore]
fn overhead() {
    let dir = tempdir();
    let median = |sandboxed: bool| {
        let mut v: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                let mut cmd = Command::new("/bin/true");
                cmd.current_dir(dir.path());
                if sandboxed {
                    Sandbox::probe()
                        .apply(&mut cmd, &Policy::new(dir.path(), Limits::for_run()))
                        .unwrap();
                }
                assert!(cmd.status().unwrap().success());
                t.elapsed()
            })
            .collect();
        v.sort();
        v[10]
    };
    let _ = Sandbox::probe();
    let mut applies: Vec<Duration> = (0..20)
        .map(|_| {
            let mut cmd = Command::new("/bin/true");
            let t = Instant::now();
            Sandbox::probe()
                .apply(&mut cmd, &Policy::new(dir.path(), Limits::for_run()))
                .unwrap();
            t.elapsed()
        })
        .collect();
    applies.sort();
    println!("apply alone (median) {:?}", applies[10]);
    let bare = median(false);
    let sbx = median(true);
    println!(
        "bare {bare:?}, sandboxed {sbx:?}, ratio {:.1}",
        sbx.as_secs_f64() / bare.as_secs_f64()
    );
}
