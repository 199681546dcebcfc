//! expect: hang
//! The worker parks a read request until the next command arrives, and
//! get() polls for the reply with try_recv() in a loop: with nothing sent
//! after it, the get() spins on a core forever instead of sleeping.
use crossbeam_channel::{unbounded, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>), Stop }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<i64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut n = 0;
            let mut waiting: Vec<Sender<i64>> = Vec::new();
            for m in rx {
                for r in waiting.drain(..) { let _ = r.send(n); }
                match m {
                    Cmd::Add(d) => n += d,
                    Cmd::Reset => n = 0,
                    Cmd::Get(r) => waiting.push(r),
                    Cmd::Stop => return n,
                }
            }
            n
        });
        Counter { tx, worker }
    }
    pub fn increment(&self) { self.tx.send(Cmd::Add(1)).unwrap() }
    pub fn decrement(&self) { self.tx.send(Cmd::Add(-1)).unwrap() }
    pub fn reset(&self) { self.tx.send(Cmd::Reset).unwrap() }
    pub fn get(&self) -> i64 {
        let (r, a) = crossbeam_channel::bounded(1);
        self.tx.send(Cmd::Get(r)).unwrap();
        loop {
            if let Ok(v) = a.try_recv() {
                return v;
            }
        }
    }
    pub fn shutdown(self) -> i64 {
        self.tx.send(Cmd::Stop).unwrap();
        self.worker.join().unwrap()
    }
}
