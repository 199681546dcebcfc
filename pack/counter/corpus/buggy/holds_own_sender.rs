//! expect: hang
//! The worker keeps a clone of its own mailbox's sender "for later", so the
//! mailbox never disconnects and the loop never ends: shutdown's join waits
//! forever.
use crossbeam_channel::{unbounded, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>) }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<()> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let own = tx.clone();
        let worker = std::thread::spawn(move || {
            let _keep = own;
            let mut n = 0;
            for m in rx {
                match m {
                    Cmd::Add(d) => n += d,
                    Cmd::Reset => n = 0,
                    Cmd::Get(r) => { let _ = r.send(n); }
                }
            }
        });
        Counter { tx, worker }
    }
    pub fn increment(&self) { self.tx.send(Cmd::Add(1)).unwrap() }
    pub fn decrement(&self) { self.tx.send(Cmd::Add(-1)).unwrap() }
    pub fn reset(&self) { self.tx.send(Cmd::Reset).unwrap() }
    pub fn get(&self) -> i64 {
        let (r, a) = crossbeam_channel::bounded(1);
        self.tx.send(Cmd::Get(r)).unwrap();
        a.recv().unwrap()
    }
    pub fn shutdown(self) -> i64 {
        let last = self.get();
        drop(self.tx);
        self.worker.join().unwrap();
        last
    }
}
