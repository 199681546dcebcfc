//! # Exercise: counter
//!
//! One worker thread owns a count. Every other thread changes or reads it by
//! sending messages to that worker over a channel; nobody else ever touches
//! the count itself.
//!
//! Fill in the `todo!()`s. Keep the signatures exactly as they are: the tutor
//! calls them from many threads at once and checks the results.
//!
//! Rules of the game:
//! - Use `crossbeam_channel` and `std` only.
//! - `Counter` is shared by reference between threads (`&Counter` inside
//!   `std::thread::scope`), so it must be `Sync`.
//! - The count is an `i64` and may go negative.
//!
//! Run `threadlings check counter` to check your work.

#![allow(dead_code, unused_imports)]

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::thread::JoinHandle;

/// A handle to the worker thread that owns the count.
pub struct Counter {
    // Your fields: for example the sending half of the worker's mailbox and
    // the worker's `JoinHandle`.
}

impl Counter {
    /// Spawns the worker thread that owns the count (starts at 0) and
    /// returns a handle to it.
    pub fn start() -> Counter {
        todo!("spawn the worker thread and keep what you need to talk to it")
    }

    /// Adds one to the count.
    pub fn increment(&self) {
        todo!()
    }

    /// Subtracts one from the count.
    pub fn decrement(&self) {
        todo!()
    }

    /// Sets the count to 0.
    pub fn reset(&self) {
        todo!()
    }

    /// Returns the count, including the effect of every command this same
    /// thread sent before (read-your-writes).
    pub fn get(&self) -> i64 {
        todo!("send a request that carries its own reply channel")
    }

    /// Applies every command sent before, stops the worker, waits for it
    /// to finish (joins it) and returns the final count.
    pub fn shutdown(self) -> i64 {
        todo!()
    }
}
