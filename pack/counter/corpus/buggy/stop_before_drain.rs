//! expect: lost-messages
//! The worker obeys a separate stop channel at once, even while commands
//! are still queued in its mailbox: select! picks among ready arms at random.
use crossbeam_channel::{select, unbounded, Receiver, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>) }

pub struct Counter { tx: Sender<Cmd>, stop: Sender<()>, worker: JoinHandle<i64> }

fn run(rx: Receiver<Cmd>, stop: Receiver<()>) -> i64 {
    let mut n = 0;
    loop {
        select! {
            recv(rx) -> m => match m {
                Ok(Cmd::Add(d)) => n += d,
                Ok(Cmd::Reset) => n = 0,
                Ok(Cmd::Get(r)) => { let _ = r.send(n); }
                Err(_) => return n,
            },
            recv(stop) -> _ => return n,
        }
    }
}

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let (stop, stop_rx) = unbounded();
        let worker = std::thread::spawn(move || run(rx, stop_rx));
        Counter { tx, stop, worker }
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
        self.stop.send(()).unwrap();
        self.worker.join().unwrap()
    }
}
