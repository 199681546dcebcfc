//! expect: busy-loop
//! The worker batches writes: while it holds changes nobody has read yet it
//! polls the mailbox with try_recv, "to answer the next get() sooner", and
//! only blocks in recv once a get() has seen them. It sleeps after a read,
//! but burns a core whenever writes are pending.
use crossbeam_channel::{unbounded, Sender, TryRecvError};
use std::thread::JoinHandle;

enum Cmd { Add(i64), Reset, Get(Sender<i64>), Stop }

pub struct Counter { tx: Sender<Cmd>, worker: JoinHandle<i64> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut n = 0;
            let mut unread = false;
            loop {
                let cmd = if unread {
                    match rx.try_recv() {
                        Ok(cmd) => cmd,
                        Err(TryRecvError::Empty) => continue,
                        Err(TryRecvError::Disconnected) => return n,
                    }
                } else {
                    match rx.recv() {
                        Ok(cmd) => cmd,
                        Err(_) => return n,
                    }
                };
                match cmd {
                    Cmd::Add(d) => { n += d; unread = true; }
                    Cmd::Reset => { n = 0; unread = true; }
                    Cmd::Get(r) => { let _ = r.send(n); unread = false; }
                    Cmd::Stop => return n,
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
