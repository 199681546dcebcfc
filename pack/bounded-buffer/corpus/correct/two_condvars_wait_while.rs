//! Two Condvars, waited on with `Condvar::wait_while` (the `while` loop is
//! inside it) and notified while the lock is still held.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

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

struct Inner {
    queue: VecDeque<u64>,
    closed: bool,
}

pub struct Buffer {
    capacity: usize,
    inner: Mutex<Inner>,
    room: Condvar,
    values: Condvar,
}

impl Buffer {
    pub fn new(capacity: usize) -> Buffer {
        Buffer {
            capacity,
            inner: Mutex::new(Inner {
                queue: VecDeque::new(),
                closed: false,
            }),
            room: Condvar::new(),
            values: Condvar::new(),
        }
    }

    pub fn push(&self, value: u64) -> Result<(), Closed> {
        let guard = self.inner.lock().unwrap();
        let mut inner = self
            .room
            .wait_while(guard, |i| !i.closed && i.queue.len() >= self.capacity)
            .unwrap();
        if inner.closed {
            return Err(Closed);
        }
        inner.queue.push_back(value);
        self.values.notify_one();
        Ok(())
    }

    pub fn pop(&self) -> Result<u64, Closed> {
        let guard = self.inner.lock().unwrap();
        let mut inner = self
            .values
            .wait_while(guard, |i| !i.closed && i.queue.is_empty())
            .unwrap();
        match inner.queue.pop_front() {
            Some(value) => {
                self.room.notify_one();
                Ok(value)
            }
            None => Err(Closed),
        }
    }

    pub fn try_push(&self, value: u64) -> Result<(), TryPushError> {
        let mut inner = self.inner.lock().unwrap();
        if inner.closed {
            Err(TryPushError::Closed(value))
        } else if inner.queue.len() >= self.capacity {
            Err(TryPushError::Full(value))
        } else {
            inner.queue.push_back(value);
            self.values.notify_one();
            Ok(())
        }
    }

    pub fn try_pop(&self) -> Result<u64, TryPopError> {
        let mut inner = self.inner.lock().unwrap();
        if let Some(value) = inner.queue.pop_front() {
            self.room.notify_one();
            Ok(value)
        } else if inner.closed {
            Err(TryPopError::Closed)
        } else {
            Err(TryPopError::Empty)
        }
    }

    pub fn close(&self) {
        let mut inner = self.inner.lock().unwrap();
        inner.closed = true;
        self.room.notify_all();
        self.values.notify_all();
    }

    pub fn len(&self) -> usize {
        self.inner.lock().unwrap().queue.len()
    }
}
