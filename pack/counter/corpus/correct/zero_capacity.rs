//! A zero-capacity mailbox: every send is a rendezvous with the worker.
//! Slow under load, but correct.
use crossbeam_channel::{bounded, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>), Stop }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<i64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = bounded(0);
        let worker = std::thread::spawn(move || {
            let mut n = 0;
            while let Ok(m) = rx.recv() {
                match m {
                    Cmd::Add(d) => n += d,
                    Cmd::Reset => n = 0,
                    Cmd::Get(r) => { let _ = r.send(n); }
                    Cmd::Stop => break,
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
        let (r, a) = bounded(1);
        self.tx.send(Cmd::Get(r)).unwrap();
        a.recv().unwrap()
    }
    pub fn shutdown(self) -> i64 {
        self.tx.send(Cmd::Stop).unwrap();
        self.worker.join().unwrap()
    }
}
