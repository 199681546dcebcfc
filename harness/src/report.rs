//! The private report channel from the harness to the tutor.
//!
//! The tutor passes `THREADLINGS_REPORT=<report fd>:<secret fd>` in the
//! environment. Before any learner code runs, the harness reads the run's
//! secret from the second descriptor (a pipe the tutor filled and closed)
//! and closes it, then writes one record per line to the first: the
//! secret, a tab, the record kind and its tab-separated fields. The tutor
//! ignores every line that does not start with the secret, so nothing the
//! learner's code prints (here or on stdout/stderr) can pass for a
//! verdict, and a run that ends without the final `done` record is reported
//! as having died.
//!
//! The secret never sits in the environment, whose starting copy stays
//! readable in `/proc/self/environ`. The process also marks itself
//! non-dumpable, which makes `/proc/self/mem`, `/proc/self/environ` and
//! `/proc/self/fd` belong to root: code running as an ordinary user (as
//! graded submissions do) can neither read the secret out of memory nor
//! reopen the report pipe through /proc.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::sync::{Mutex, OnceLock};

struct Channel {
    secret: String,
    out: Mutex<File>,
}

static CHANNEL: OnceLock<Channel> = OnceLock::new();

fn refuse(why: &str) -> ! {
    eprintln!("threadlings harness: {why}; run me through `threadlings check`");
    std::process::exit(97);
}

/// Takes the report channel. Must run first, before any learner code and
/// before any other thread exists.
pub fn init() {
    // SAFETY: prctl with PR_SET_DUMPABLE takes plain integers and touches no
    // memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    let spec = std::env::var("THREADLINGS_REPORT").unwrap_or_default();
    std::env::remove_var("THREADLINGS_REPORT");
    let Some((out_fd, secret_fd)) = spec.split_once(':') else {
        refuse("no report channel");
    };
    let (Ok(out_fd), Ok(secret_fd)) = (out_fd.parse::<i32>(), secret_fd.parse::<i32>()) else {
        refuse("bad report channel");
    };
    // SAFETY: the tutor opened these descriptors for us (the read end of
    // the secret's pipe and the write end of the report pipe), and nothing
    // else in this process owns them yet.
    let (mut secret_in, out) = unsafe { (File::from_raw_fd(secret_fd), File::from_raw_fd(out_fd)) };
    let mut secret = String::new();
    if secret_in.read_to_string(&mut secret).is_err() || secret.is_empty() {
        refuse("no secret on the report channel");
    }
    // Closed now: learner code finds nothing left to read there.
    drop(secret_in);
    let _ = CHANNEL.set(Channel {
        secret,
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
