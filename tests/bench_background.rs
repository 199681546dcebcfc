//! The benches' background load (`--load K`: K `yes` processes) dies with
//! the bench however the bench dies, not only when it returns or panics: a
//! bench stopped with SIGTERM used to leave its `yes` processes spinning.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../benches/common/background.rs"]
mod background;

/// What the killed bench does: start the load, say which processes it
/// is, and wait to be killed. Run only by the test below.
#[test]
#[ignore = "the stand-in for a bench, started by a_killed_bench_takes_its_load_with_it"]
fn bench_stand_in() {
    let load = background::Background::start(2);
    let pids: Vec<String> = load.pids().iter().map(u32::to_string).collect();
    println!("load pids: {}", pids.join(" "));
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Whether `pid` is still a running `yes` (not gone, not a zombie, not a
/// reused number).
fn spinning(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let Some(close) = stat.rfind(')') else {
        return false;
    };
    let name = &stat[stat.find('(').map_or(0, |o| o + 1)..close];
    let state = stat[close + 1..].split_whitespace().next();
    name == "yes" && state != Some("Z") && state != Some("X")
}

#[test]
fn a_killed_bench_takes_its_load_with_it() {
    let mut bench = Command::new(std::env::current_exe().unwrap())
        .args(["bench_stand_in", "--exact", "--ignored", "--nocapture"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(bench.stdout.take().unwrap()).lines();
    let pids: Vec<u32> = lines
        .find_map(|l| {
            l.ok()?
                .strip_prefix("load pids: ")
                .map(|p| p.split(' ').map(|n| n.parse().unwrap()).collect())
        })
        .expect("the stand-in names its load");
    assert_eq!(pids.len(), 2);
    assert!(pids.iter().all(|&p| spinning(p)), "the load runs");

    // As `kill PID` or a CI timeout does: no unwinding, no Drop.
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(bench.id() as i32, libc::SIGTERM) };
    bench.wait().unwrap();

    // The kernel's kill is sent as the bench dies; give the processes a
    // generous bound to be scheduled and die (not a measurement).
    let bound = Instant::now() + Duration::from_secs(20);
    while pids.iter().any(|&p| spinning(p)) && Instant::now() < bound {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left: Vec<u32> = pids.into_iter().filter(|&p| spinning(p)).collect();
    for &p in &left {
        // SAFETY: as above; they are ours and must not outlive the test.
        unsafe { libc::kill(p as i32, libc::SIGKILL) };
    }
    assert!(
        left.is_empty(),
        "still spinning after the bench died: {left:?}"
    );
}
