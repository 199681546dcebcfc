//! One `Mutex<State>` that also counts the threads waiting on each
//! Condvar, so a change notifies only when someone is waiting for it.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPushError {
    Full(u64),
    Closed(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryPopError {
    Empty,
    Closed,
}

struct State {
    items: VecDeque<u64>,
    closed: bool,
    waiting_pushers: usize,
    waiting_poppers: usize,
}

pub struct Buffer {
    capacity: usize,
    state: Mutex<State>,
    room: Condvar,
    value: Condvar,
}

impl Buffer {
    pub fn new(capacity: usize) -> Buffer {
        Buffer {
            capacity,
            state: Mutex::new(State {
                items: VecDeque::new(),
                closed: false,
                waiting_pushers: 0,
                waiting_poppers: 0,
            }),
            room: Condvar::new(),
            value: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Puts a value in, under the lock, and wakes one popper if any waits.
    fn put(&self, state: &mut State, value: u64) {
        state.items.push_back(value);
        if state.waiting_poppers > 0 {
            self.value.notify_one();
        }
    }

    /// Takes a value out, under the lock, and wakes one pusher if any waits.
    fn take(&self, state: &mut State) -> Option<u64> {
        let value = state.items.pop_front()?;
        if state.waiting_pushers > 0 {
            self.room.notify_one();
        }
        Some(value)
    }

    pub fn push(&self, value: u64) -> Result<(), Closed> {
        let mut state = self.lock();
        while !state.closed && state.items.len() >= self.capacity {
            state.waiting_pushers += 1;
            state = self.room.wait(state).unwrap();
            state.waiting_pushers -= 1;
        }
        if state.closed {
            return Err(Closed);
        }
        self.put(&mut state, value);
        Ok(())
    }

    pub fn pop(&self) -> Result<u64, Closed> {
        let mut state = self.lock();
        while !state.closed && state.items.is_empty() {
            state.waiting_poppers += 1;
            state = self.value.wait(state).unwrap();
            state.waiting_poppers -= 1;
        }
        self.take(&mut state).ok_or(Closed)
    }

    pub fn try_push(&self, value: u64) -> Result<(), TryPushError> {
        let mut state = self.lock();
        if state.closed {
            return Err(TryPushError::Closed(value));
        }
        if state.items.len() >= self.capacity {
            return Err(TryPushError::Full(value));
        }
        self.put(&mut state, value);
        Ok(())
    }

    pub fn try_pop(&self) -> Result<u64, TryPopError> {
        let mut state = self.lock();
        match self.take(&mut state) {
            Some(value) => Ok(value),
            None if state.closed => Err(TryPopError::Closed),
            None => Err(TryPopError::Empty),
        }
    }

    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        if state.waiting_pushers > 0 {
            self.room.notify_all();
        }
        if state.waiting_poppers > 0 {
            self.value.notify_all();
        }
    }

    pub fn len(&self) -> usize {
        self.lock().items.len()
    }
}
