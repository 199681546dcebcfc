//! A separate stop channel, done right: on stop, the worker first drains
//! everything already queued in its mailbox, then exits.
use crossbeam_channel::{select, unbounded, Receiver, Sender};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>) }

pub struct Counter { tx: Sender<Cmd>, stop: Sender<()>, worker: JoinHandle<i64> }

fn apply(n: &mut i64, m: Cmd) {
    match m {
        Cmd::Add(d) => *n += d,
        Cmd::Reset => *n = 0,
        Cmd::Get(r) => { let _ = r.send(*n); }
    }
}

fn run(rx: Receiver<Cmd>, stop: Receiver<()>) -> i64 {
    let mut n = 0;
    loop {
        select! {
            recv(rx) -> m => match m {
                Ok(m) => apply(&mut n, m),
                Err(_) => return n,
            },
            recv(stop) -> _ => {
                // Everything sent before shutdown() is already queued.
                for m in rx.try_iter() { apply(&mut n, m); }
                return n;
            }
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
