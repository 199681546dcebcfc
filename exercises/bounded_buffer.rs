//! # Exercise: bounded-buffer
//!
//! Build the thing a channel hides: a bounded, blocking FIFO queue of
//! `u64`s, from `std::sync::Mutex` and `std::sync::Condvar`, with a `close`
//! that wakes everyone.
//!
//! Fill in the `todo!()`s. Keep the signatures exactly as they are: the
//! tutor calls them from many threads at once and checks the results.
//!
//! Rules of the game:
//! - `std` only, and not `std::sync::mpsc`; `crossbeam_channel` is not
//!   available either. The point is the primitives.
//! - `Buffer` is shared by reference between threads (`&Buffer` inside
//!   `std::thread::scope`), so it must be `Sync`.
//! - Values come out in the order they went in, and there are never more
//!   than `capacity` of them inside. Callers always pass `capacity >= 1`.
//! - A blocked `push` or `pop` must sleep, not spin.
//! - `Buffer` starts no threads.
//!
//! Run `threadlings check bounded-buffer` to check your work.

#![allow(dead_code, unused_imports)]

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

/// The buffer was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// Why `try_push` gave its value back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPushError {
    /// The buffer holds `capacity` values.
    Full(u64),
    /// The buffer was closed (whatever its fill).
    Closed(u64),
}

/// Why `try_pop` returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPopError {
    /// The buffer is open and empty.
    Empty,
    /// The buffer is closed and empty.
    Closed,
}

/// A bounded blocking FIFO queue of `u64`s.
pub struct Buffer {
    // Your fields: for example a Mutex around the values and a closed
    // flag, and one or two Condvars to wait on.
}

impl Buffer {
    /// An open, empty buffer that holds at most `capacity` values
    /// (`capacity >= 1`).
    pub fn new(capacity: usize) -> Buffer {
        todo!()
    }

    /// Puts `value` in, blocking while the buffer is full. Returns
    /// `Err(Closed)` once the buffer is closed, also when it was closed
    /// while this call waited.
    pub fn push(&self, value: u64) -> Result<(), Closed> {
        todo!()
    }

    /// Takes the oldest value, blocking while the buffer is empty and open.
    /// After `close` it still returns the values left, then `Err(Closed)`.
    pub fn pop(&self) -> Result<u64, Closed> {
        todo!()
    }

    /// Puts `value` in if there is room, never blocking; gives the value
    /// back in the error otherwise (`Closed` on a closed buffer whatever
    /// its fill).
    pub fn try_push(&self, value: u64) -> Result<(), TryPushError> {
        todo!()
    }

    /// Takes the oldest value if there is one, never blocking. `Empty` only
    /// when the buffer is open and empty.
    pub fn try_pop(&self) -> Result<u64, TryPopError> {
        todo!()
    }

    /// Closes the buffer: idempotent, and wakes every blocked `push` and
    /// `pop` at once.
    pub fn close(&self) {
        todo!()
    }

    /// How many values are inside now.
    pub fn len(&self) -> usize {
        todo!()
    }
}
