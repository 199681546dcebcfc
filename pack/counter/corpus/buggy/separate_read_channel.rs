//! expect: linearizable
//! Reads travel on their own channel, so a get() can be served before the
//! increments the same thread sent just before it (no read-your-writes).
use crossbeam_channel::{select, unbounded, Receiver, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Stop }

pub struct Counter { tx: Sender<Cmd>, reads: Sender<Sender<i64>>, worker: JoinHandle<i64> }

fn run(rx: Receiver<Cmd>, reads: Receiver<Sender<i64>>) -> i64 {
    let mut n = 0;
    loop {
        select! {
            recv(rx) -> m => match m.unwrap() {
                Cmd::Add(d) => n += d,
                Cmd::Reset => n = 0,
                Cmd::Stop => return n,
            },
            recv(reads) -> r => { let _ = r.unwrap().send(n); }
        }
    }
}

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let (reads, reads_rx) = unbounded();
        let worker = std::thread::spawn(move || run(rx, reads_rx));
        Counter { tx, reads, worker }
    }
    pub fn increment(&self) { self.tx.send(Cmd::Add(1)).unwrap() }
    pub fn decrement(&self) { self.tx.send(Cmd::Add(-1)).unwrap() }
    pub fn reset(&self) { self.tx.send(Cmd::Reset).unwrap() }
    pub fn get(&self) -> i64 {
        let (r, a) = crossbeam_channel::bounded(1);
        self.reads.send(r).unwrap();
        a.recv().unwrap()
    }
    pub fn shutdown(self) -> i64 {
        self.tx.send(Cmd::Stop).unwrap();
        self.worker.join().unwrap()
    }
}
