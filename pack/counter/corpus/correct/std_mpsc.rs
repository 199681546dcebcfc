//! The same design with std::sync::mpsc instead of crossbeam: its Sender is
//! Sync too, so the Counter can be shared by reference.
use std::sync::mpsc::{channel, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>) }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<i64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = channel();
        let worker = std::thread::spawn(move || {
            let mut n = 0;
            // Ends when the last sender (the Counter's) is dropped.
            for m in rx {
                match m {
                    Cmd::Add(d) => n += d,
                    Cmd::Reset => n = 0,
                    Cmd::Get(r) => { let _ = r.send(n); }
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
        let (r, a) = channel();
        self.tx.send(Cmd::Get(r)).unwrap();
        a.recv().unwrap()
    }
    pub fn shutdown(self) -> i64 {
        // Dropping the only sender disconnects the mailbox once it is empty.
        drop(self.tx);
        self.worker.join().unwrap()
    }
}
