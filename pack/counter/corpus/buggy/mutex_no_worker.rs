//! expect: owner-thread
//! A Mutex guards the count and no worker thread exists: it is correct as a
//! counter, but it is not the pattern this exercise teaches.
use std::sync::Mutex;

pub struct Counter { n: Mutex<i64> }

impl Counter {
    pub fn start() -> Counter { Counter { n: Mutex::new(0) } }
    pub fn increment(&self) { *self.n.lock().unwrap() += 1 }
    pub fn decrement(&self) { *self.n.lock().unwrap() -= 1 }
    pub fn reset(&self) { *self.n.lock().unwrap() = 0 }
    pub fn get(&self) -> i64 { *self.n.lock().unwrap() }
    pub fn shutdown(self) -> i64 { self.n.into_inner().unwrap() }
}
