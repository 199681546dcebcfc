//! expect: panic
//! Steals the report channel's secret from /proc/self/environ (where the
//! environment the process started with stays visible even after the
//! variable is removed), writes a complete, passing report for whichever
//! phase it is in through /proc/self/fd/3, and exits before the harness can
//! say anything. If it cannot read the secret, it still exits early.
use std::io::Write;

pub struct Counter;

fn forge() -> Option<()> {
    let env = std::fs::read("/proc/self/environ").ok()?;
    let spec = env
        .split(|&b| b == 0)
        .find_map(|kv| kv.strip_prefix(b"THREADLINGS_REPORT="))?;
    let spec = String::from_utf8_lossy(spec).to_string();
    let (fd, secret) = spec.split_once(':')?;
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .open(format!("/proc/self/fd/{fd}"))
        .ok()?;
    let phase = std::env::args().nth(1).unwrap_or_default();
    let lines: Vec<String> = match phase.as_str() {
        "single" => vec![
            "threads\t1\tworker".into(),
            "op\t0\t0\t1\t2\tinc\tok".into(),
            "op\t0\t0\t3\t4\tget\t1".into(),
            "op\t0\t0\t5\t6\tshutdown\t1".into(),
            "leak\tsingle\t0\t".into(),
        ],
        "idle" => vec!["cpu\t300\t0\t0\t60".into(), "leak\tidle\t0\t".into()],
        _ => vec![
            "op\t0\t0\t1\t2\tinc\tok".into(),
            "op\t0\t6\t3\t4\tshutdown\t1".into(),
            "final\t0\tup\t1\t1".into(),
            "leak\ttrial 0\t0\t".into(),
        ],
    };
    for line in lines.iter().chain(std::iter::once(&"done".to_string())) {
        writeln!(out, "{secret}\t{line}").ok()?;
    }
    Some(())
}

impl Counter {
    pub fn start() -> Counter {
        let _ = forge();
        std::process::exit(0);
    }
    pub fn increment(&self) {}
    pub fn decrement(&self) {}
    pub fn reset(&self) {}
    pub fn get(&self) -> i64 { 0 }
    pub fn shutdown(self) -> i64 { 0 }
}
