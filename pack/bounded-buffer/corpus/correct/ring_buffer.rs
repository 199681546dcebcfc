//! A fixed ring of `capacity` slots (no VecDeque): `head` is the oldest
//! value's slot, `len` how many follow it. Two Condvars, `while` loops.

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

struct Ring {
    slots: Box<[u64]>,
    head: usize,
    len: usize,
    closed: bool,
}

impl Ring {
    fn full(&self) -> bool {
        self.len == self.slots.len()
    }

    fn put(&mut self, value: u64) {
        let tail = (self.head + self.len) % self.slots.len();
        self.slots[tail] = value;
        self.len += 1;
    }

    fn take(&mut self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let value = self.slots[self.head];
        self.head = (self.head + 1) % self.slots.len();
        self.len -= 1;
        Some(value)
    }
}

pub struct Buffer {
    ring: Mutex<Ring>,
    not_full: Condvar,
    not_empty: Condvar,
}

impl Buffer {
    pub fn new(capacity: usize) -> Buffer {
        Buffer {
            ring: Mutex::new(Ring {
                slots: vec![0; capacity].into_boxed_slice(),
                head: 0,
                len: 0,
                closed: false,
            }),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
        }
    }

    pub fn push(&self, value: u64) -> Result<(), Closed> {
        let mut ring = self.ring.lock().unwrap();
        while ring.full() && !ring.closed {
            ring = self.not_full.wait(ring).unwrap();
        }
        if ring.closed {
            return Err(Closed);
        }
        ring.put(value);
        drop(ring);
        self.not_empty.notify_one();
        Ok(())
    }

    pub fn pop(&self) -> Result<u64, Closed> {
        let mut ring = self.ring.lock().unwrap();
        while ring.len == 0 && !ring.closed {
            ring = self.not_empty.wait(ring).unwrap();
        }
        let value = ring.take().ok_or(Closed)?;
        drop(ring);
        self.not_full.notify_one();
        Ok(value)
    }

    pub fn try_push(&self, value: u64) -> Result<(), TryPushError> {
        let mut ring = self.ring.lock().unwrap();
        if ring.closed {
            return Err(TryPushError::Closed(value));
        }
        if ring.full() {
            return Err(TryPushError::Full(value));
        }
        ring.put(value);
        drop(ring);
        self.not_empty.notify_one();
        Ok(())
    }

    pub fn try_pop(&self) -> Result<u64, TryPopError> {
        let mut ring = self.ring.lock().unwrap();
        match ring.take() {
            Some(value) => {
                drop(ring);
                self.not_full.notify_one();
                Ok(value)
            }
            None if ring.closed => Err(TryPopError::Closed),
            None => Err(TryPopError::Empty),
        }
    }

    pub fn close(&self) {
        self.ring.lock().unwrap().closed = true;
        self.not_full.notify_all();
        self.not_empty.notify_all();
    }

    pub fn len(&self) -> usize {
        self.ring.lock().unwrap().len
    }
}
