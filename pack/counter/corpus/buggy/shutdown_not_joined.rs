//! expect: leaked-workers
//! shutdown() asks for the final count, drops the mailbox and returns
//! without joining. The worker ends at once (its loop sees the channel
//! close), so no thread is left over a moment later; but shutdown() did not
//! wait for it.
use crossbeam_channel::{unbounded, Sender};

enum Cmd { Add(i64), Reset, Get(Sender<i64>) }

pub struct Counter { tx: Sender<Cmd> }

impl Counter {
    pub fn start() -> Counter {
        let (tx, rx) = unbounded();
        std::thread::spawn(move || {
            let mut n = 0;
            for m in rx {
                match m {
                    Cmd::Add(d) => n += d,
                    Cmd::Reset => n = 0,
                    Cmd::Get(r) => { let _ = r.send(n); }
                }
            }
        });
        Counter { tx }
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
        let n = self.get();
        drop(self.tx);
        n
    }
}
