//! The private report channel from the harness to the tutor.
//!
//! The tutor passes `THREADLINGS_REPORT=<fd>:<secret>` in the environment.
//! The harness reads and removes it before any learner code runs, then
//! writes one record per line to that file descriptor: the secret, a tab,
//! the record kind and its tab-separated fields. The tutor ignores every
//! line that does not start with the secret, so nothing the learner's code
//! prints (here or on stdout/stderr) can pass for a verdict, and a run that
//! ends without the final `done` record is reported as having died.

use std::fs::File;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

struct Channel {
    secret: String,
    out: Mutex<File>,
}

static CHANNEL: OnceLock<Channel> = OnceLock::new();

/// Takes the report channel from the environment. Must run first, before
/// any learner code and before any other thread exists.
pub fn init() {
    let spec = std::env::var("THREADLINGS_REPORT").unwrap_or_default();
    // Gone from the environment before learner code can look for it.
    std::env::remove_var("THREADLINGS_REPORT");
    let Some((fd, secret)) = spec.split_once(':') else {
        eprintln!("threadlings harness: run me through `threadlings check`");
        std::process::exit(97);
    };
    let Ok(fd) = fd.parse::<i32>() else {
        eprintln!("threadlings harness: bad report channel");
        std::process::exit(97);
    };
    use std::os::fd::FromRawFd;
    // SAFETY: the tutor opened this descriptor for us (the write end of a
    // pipe) and nothing else in this process owns it yet.
    let out = unsafe { File::from_raw_fd(fd) };
    let _ = CHANNEL.set(Channel {
        secret: secret.to_string(),
        out: Mutex::new(out),
    });
}

/// Escapes a free-text field so it stays on one line and in one field.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

/// Sends one record: a kind and its fields (already escaped where free text).
pub fn send(kind: &str, fields: &[&str]) {
    let Some(channel) = CHANNEL.get() else { return };
    let mut line = String::with_capacity(64);
    line.push_str(&channel.secret);
    line.push('\t');
    line.push_str(kind);
    for field in fields {
        line.push('\t');
        line.push_str(field);
    }
    line.push('\n');
    // A poisoned lock only means another thread panicked mid-write of a
    // whole line; the file itself is fine.
    let mut out = channel.out.lock().unwrap_or_else(|e| e.into_inner());
    let _ = out.write_all(line.as_bytes());
}

/// Sends many prepared record bodies (`kind\tfields`) in one write.
pub fn send_batch(bodies: &[String]) {
    let Some(channel) = CHANNEL.get() else { return };
    let mut buf = String::new();
    for body in bodies {
        buf.push_str(&channel.secret);
        buf.push('\t');
        buf.push_str(body);
        buf.push('\n');
    }
    let mut out = channel.out.lock().unwrap_or_else(|e| e.into_inner());
    let _ = out.write_all(buf.as_bytes());
}

/// The final record: the phase ran to its end.
pub fn done() {
    send("done", &[]);
}
