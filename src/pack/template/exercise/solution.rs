//! Reference solution of `{{id}}`: one worker owns the total; every call
//! is a message in its one mailbox.

use crossbeam_channel::{bounded, unbounded, Sender};
use std::thread::JoinHandle;

enum Msg {
    Add(u64),
    Total(Sender<u64>),
    Stop,
}

/// A handle to the worker thread that owns the total.
pub struct Tally {
    inbox: Sender<Msg>,
    worker: JoinHandle<u64>,
}

impl Tally {
    /// Spawns the worker thread that owns the total (starts at 0).
    pub fn start() -> Tally {
        let (inbox, messages) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut total: u64 = 0;
            for msg in messages {
                match msg {
                    Msg::Add(n) => total = total.wrapping_add(n),
                    // A caller that went away is no reason to stop.
                    Msg::Total(reply) => drop(reply.send(total)),
                    Msg::Stop => break,
                }
            }
            total
        });
        Tally { inbox, worker }
    }

    /// Adds `n` to the total.
    pub fn add(&self, n: u64) {
        self.inbox.send(Msg::Add(n)).expect("the worker runs until shutdown");
    }

    /// The total, including every `add` this same thread made before.
    pub fn total(&self) -> u64 {
        let (reply, answer) = bounded(1);
        self.inbox.send(Msg::Total(reply)).expect("the worker runs until shutdown");
        answer.recv().expect("the worker answers every request")
    }

    /// Applies everything sent before, stops the worker, joins it and
    /// returns the final total.
    pub fn shutdown(self) -> u64 {
        self.inbox.send(Msg::Stop).expect("the worker runs until shutdown");
        self.worker.join().expect("the worker does not panic")
    }
}
