//! expect: lost-messages
//! Commands go through a small bounded mailbox with try_send, and a full
//! mailbox silently drops them.
use crossbeam_channel::{bounded, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>), Stop }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<i64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = bounded(2);
        let worker = std::thread::spawn(move || {
            let mut n = 0;
            for m in rx {
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
    pub fn increment(&self) { let _ = self.tx.try_send(Cmd::Add(1)); }
    pub fn decrement(&self) { let _ = self.tx.try_send(Cmd::Add(-1)); }
    pub fn reset(&self) { let _ = self.tx.try_send(Cmd::Reset); }
    pub fn get(&self) -> i64 {
        let (r, a) = crossbeam_channel::bounded(1);
        self.tx.send(Cmd::Get(r)).unwrap();
        a.recv().unwrap()
    }
    pub fn shutdown(self) -> i64 {
        self.tx.send(Cmd::Stop).unwrap();
        self.worker.join().unwrap()
    }
}
