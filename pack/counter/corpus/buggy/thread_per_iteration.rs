//! expect: panic
//! The worker means to hand each message to a helper thread, but spawns
//! one on every turn of its loop, message or not, and the helpers never
//! end: threads pile up as fast as the machine can make them.
use crossbeam_channel::{unbounded, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

enum Cmd { Add(i64), Reset, Get(Sender<i64>), Stop }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<i64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut n = 0;
            loop {
                std::thread::spawn(|| std::thread::sleep(Duration::from_secs(3600)));
                match rx.try_recv() {
                    Ok(Cmd::Add(d)) => n += d,
                    Ok(Cmd::Reset) => n = 0,
                    Ok(Cmd::Get(r)) => { let _ = r.send(n); }
                    Ok(Cmd::Stop) | Err(TryRecvError::Disconnected) => return n,
                    Err(TryRecvError::Empty) => {}
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
