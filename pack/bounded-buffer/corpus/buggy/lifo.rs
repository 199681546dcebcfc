//! pop() takes the newest value (pop_back) instead of the oldest.
//! expect: correctness

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// The buffer was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// Why `try_push` gave its value back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPushError {
    /// The buffer holds `capacity` values.
    Full(u64),
    /// The buffer was closed.
    Closed(u64),
}

/// Why `try_pop` returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPopError {
    /// Open and empty.
    Empty,
    /// Closed and empty.
    Closed,
}

struct State {
    items: VecDeque<u64>,
    closed: bool,
}

/// A bounded blocking FIFO queue of `u64`s with close.
pub struct Buffer {
    capacity: usize,
    state: Mutex<State>,
    not_full: Condvar,
    not_empty: Condvar,
}

impl Buffer {
    /// An open, empty buffer that holds at most `capacity` values.
    pub fn new(capacity: usize) -> Buffer {
        Buffer {
            capacity,
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                closed: false,
            }),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the state half-changed: every
        // change below is one call on the VecDeque or one flag.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts `value` in, waiting while the buffer is full; `Err(Closed)`
    /// once the buffer is closed, also when it closes while this waits.
    pub fn push(&self, value: u64) -> Result<(), Closed> {
        let mut state = self.lock();
        while !state.closed && state.items.len() == self.capacity {
            state = self.not_full.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if state.closed {
            return Err(Closed);
        }
        state.items.push_back(value);
        drop(state);
        self.not_empty.notify_one();
        Ok(())
    }

    /// Takes the oldest value, waiting while the buffer is empty and open;
    /// after close it still returns what is left, then `Err(Closed)`.
    pub fn pop(&self) -> Result<u64, Closed> {
        let mut state = self.lock();
        while !state.closed && state.items.is_empty() {
            state = self.not_empty.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let value = state.items.pop_back().ok_or(Closed)?;
        drop(state);
        self.not_full.notify_one();
        Ok(value)
    }

    /// Puts `value` in if there is room, never waiting.
    pub fn try_push(&self, value: u64) -> Result<(), TryPushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(TryPushError::Closed(value));
        }
        if state.items.len() == self.capacity {
            return Err(TryPushError::Full(value));
        }
        state.items.push_back(value);
        drop(state);
        self.not_empty.notify_one();
        Ok(())
    }

    /// Takes the oldest value if there is one, never waiting.
    pub fn try_pop(&self) -> Result<u64, TryPopError> {
        let mut state = self.lock();
        match state.items.pop_back() {
            Some(value) => {
                drop(state);
                self.not_full.notify_one();
                Ok(value)
            }
            None if state.closed => Err(TryPopError::Closed),
            None => Err(TryPopError::Empty),
        }
    }

    /// Closes the buffer and wakes every waiting `push` and `pop`.
    pub fn close(&self) {
        self.lock().closed = true;
        self.not_full.notify_all();
        self.not_empty.notify_all();
    }

    /// How many values are inside now.
    pub fn len(&self) -> usize {
        self.lock().items.len()
    }
}
