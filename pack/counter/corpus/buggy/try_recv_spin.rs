//! expect: busy-loop
//! The worker polls its mailbox with try_recv in a tight loop instead of
//! blocking in recv: it burns a core while nobody calls it.
use crossbeam_channel::{unbounded, Sender, TryRecvError};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>), Stop }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<i64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut n = 0;
            loop {
                match rx.try_recv() {
                    Ok(Cmd::Add(d)) => n += d,
                    Ok(Cmd::Reset) => n = 0,
                    Ok(Cmd::Get(r)) => { let _ = r.send(n); }
                    Ok(Cmd::Stop) | Err(TryRecvError::Disconnected) => return n,
                    Err(TryRecvError::Empty) => continue,
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
        self.tx.send(Cmd::Stop).unwrap();
        self.worker.join().unwrap()
    }
}
