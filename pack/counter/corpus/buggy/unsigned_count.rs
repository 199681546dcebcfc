//! expect: panic
//! The count is unsigned, so the first decrement below zero overflows and
//! the worker thread panics.
use crossbeam_channel::{unbounded, Sender};
use std::thread::JoinHandle;

enum Cmd { Inc, Dec, Reset, Get(Sender<u64>), Stop }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<u64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut n: u64 = 0;
            for m in rx {
                match m {
                    Cmd::Inc => n += 1,
                    Cmd::Dec => n -= 1,
                    Cmd::Reset => n = 0,
                    Cmd::Get(r) => { let _ = r.send(n); }
                    Cmd::Stop => break,
                }
            }
            n
        });
        Counter { tx, worker }
    }
    pub fn increment(&self) { self.tx.send(Cmd::Inc).unwrap() }
    pub fn decrement(&self) { self.tx.send(Cmd::Dec).unwrap() }
    pub fn reset(&self) { self.tx.send(Cmd::Reset).unwrap() }
    pub fn get(&self) -> i64 {
        let (r, a) = crossbeam_channel::bounded(1);
        self.tx.send(Cmd::Get(r)).unwrap();
        a.recv().unwrap() as i64
    }
    pub fn shutdown(self) -> i64 {
        self.tx.send(Cmd::Stop).unwrap();
        self.worker.join().unwrap() as i64
    }
}
