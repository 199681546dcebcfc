//! What the recording `crossbeam_channel` saw, as records for the tutor.
//!
//! A solution built on crossbeam-channel talks through the tool's own
//! recording copy of it (`threadlings-channel`), so every message a
//! harness thread sends can be followed: was it received, by a thread that
//! `start()` spawned, or never? Solutions on `std::sync::mpsc` leave no
//! trace here and are judged on calls alone, as before.
//!
//! Records:
//! - `msg\t<trial>\t<lane>\t<sent tick>\t<channel>\t<seq>\t<receiver>\t<received tick>\t<receives>`
//!   for every message a harness thread sent, where the receiver is
//!   `worker` (a thread `start()` spawned), `client <lane>` (a harness
//!   thread), `other` (a thread the solution spawned later) or `-` (never
//!   received, `-` for the tick too);
//! - `fact\tchannels\t<trial>\t<channels start() created>\t<threads start() spawned>`;
//! - `fact\tjoined\t<trial>\t<receivers>`: how many receivers the threads
//!   `start()` spawned had received through and still held the moment
//!   `shutdown()` returned. A joined worker has dropped its mailbox by then
//!   (its closure returned before its join could), so this is a fact about
//!   the order of events, never about how the threads were scheduled.

use crate::report;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use threadlings_channel::delay;
use threadlings_channel::record::{self, Event, Kind, Role};

/// What the last `start()` did: the threads it spawned and how many
/// channels it created.
struct Started {
    workers: BTreeSet<u32>,
    channels: u64,
}

static STARTED: Mutex<Option<Started>> = Mutex::new(None);

/// How long the main thread waits for a client to park its send before it
/// calls `shutdown()` anyway.
const PARK_WAIT: Duration = Duration::from_millis(3);

/// Runs `start` and notes what it spawned and created.
pub fn watch_start<T>(start: impl FnOnce() -> T) -> T {
    let baseline = crate::threads::live();
    let channels = record::channels_created();
    let out = start();
    let started = Started {
        workers: crate::threads::spawned_since(&baseline)
            .into_iter()
            .collect(),
        channels: record::channels_created() - channels,
    };
    *STARTED.lock().unwrap_or_else(|e| e.into_inner()) = Some(started);
    out
}

/// Marks the calling thread as the harness's main thread, on `lane`.
pub fn main_thread(lane: usize) {
    record::mark(Role::Main, lane as u32);
}

/// Marks the calling thread as client `lane`, whose sends may be held back
/// on a plan drawn from `seed`.
pub fn client_thread(lane: usize, seed: u64) {
    record::mark(Role::Client, lane as u32);
    delay::seed_thread(seed);
}

/// Parks the clients' next sends and waits (briefly) until one is parked:
/// call just before `shutdown()` while clients are still calling.
pub fn park_clients() {
    delay::shutdown_begins();
    delay::arm();
    let began = Instant::now();
    while delay::parked() == 0 && began.elapsed() < PARK_WAIT {
        std::thread::yield_now();
    }
}

/// Runs a `shutdown()` call and reports whether the solution's threads
/// still held a receiver when it returned (only if it returned).
pub fn around_shutdown<T>(trial: &str, shutdown: impl FnOnce() -> Option<T>) -> Option<T> {
    delay::shutdown_begins();
    let out = shutdown();
    if out.is_some() {
        // Only the threads start() spawned are judged: shutdown() must join
        // those, and a joined thread has dropped its locals (the receiver
        // it reads) before its join returns, however the threads were
        // scheduled. Any other thread (a helper, or one of the harness's
        // own) may still hold a receiver it read without anything being
        // wrong.
        let workers = match &*STARTED.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(s) => s.workers.clone(),
            None => BTreeSet::new(),
        };
        let held = record::held_by_learner()
            .into_iter()
            .filter(|tid| workers.contains(tid))
            .count();
        report::send("fact", &["joined", trial, &held.to_string()]);
    }
    delay::disarm();
    out
}

/// Reports every message the harness's threads sent since the last report,
/// as trial `trial`.
pub fn report(trial: usize) {
    let events = record::drain();
    let (workers, channels) = match &*STARTED.lock().unwrap_or_else(|e| e.into_inner()) {
        Some(s) => (s.workers.clone(), s.channels),
        None => (BTreeSet::new(), 0),
    };
    report::send(
        "fact",
        &[
            "channels",
            &trial.to_string(),
            &channels.to_string(),
            &workers.len().to_string(),
        ],
    );
    let mut received: HashMap<(u64, u64), (&Event, usize)> = HashMap::new();
    for e in events.iter().filter(|e| e.kind == Kind::Received) {
        received
            .entry((e.chan, e.seq))
            .and_modify(|(_, n)| *n += 1)
            .or_insert((e, 1));
    }
    let mut lines = Vec::new();
    for sent in events.iter().filter(|e| e.kind == Kind::Sent) {
        let Some(lane) = sent.lane else { continue };
        let (receiver, at, count) = match received.get(&(sent.chan, sent.seq)) {
            None => ("-".to_string(), "-".to_string(), 0),
            Some((r, n)) => {
                let who = match r.lane {
                    Some(l) => format!("client {l}"),
                    None if workers.contains(&r.tid) => "worker".to_string(),
                    None => "other".to_string(),
                };
                (who, r.tick.to_string(), *n)
            }
        };
        lines.push(format!(
            "msg\t{trial}\t{lane}\t{}\t{}\t{}\t{receiver}\t{at}\t{count}",
            sent.tick, sent.chan, sent.seq
        ));
    }
    report::send_batch(&lines);
}
