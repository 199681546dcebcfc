//! # Exercise: {{id}}
//!
//! One worker thread owns a running total. Every other thread adds to it or
//! reads it by sending messages to that worker over a channel.
//!
//! Fill in the `todo!()`s. Keep the signatures exactly as they are: the tutor
//! calls them from many threads at once and checks the results.
//!
//! Run `threadlings check {{id}}` to check your work.

#![allow(dead_code, unused_imports)]

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::thread::JoinHandle;

/// A handle to the worker thread that owns the total.
pub struct Tally {
    // Your fields: for example the sending half of the worker's mailbox and
    // the worker's `JoinHandle`.
}

impl Tally {
    /// Spawns the worker thread that owns the total (starts at 0).
    pub fn start() -> Tally {
        todo!("spawn the worker thread and keep what you need to talk to it")
    }

    /// Adds `n` to the total.
    pub fn add(&self, n: u64) {
        todo!()
    }

    /// The total, including every `add` this same thread made before.
    pub fn total(&self) -> u64 {
        todo!("send a request that carries its own reply channel")
    }

    /// Applies everything sent before, stops the worker, joins it and
    /// returns the final total.
    pub fn shutdown(self) -> u64 {
        todo!()
    }
}
