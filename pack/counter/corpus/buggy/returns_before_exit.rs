//! expect: leaked-workers
//! shutdown() asks for the final count and returns it without joining the
//! worker, which is still busy "flushing" when shutdown returns.
use crossbeam_channel::{unbounded, Sender};

enum Cmd { Add(i64), Reset, Get(Sender<i64>), Stop(Sender<i64>) }

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
                    Cmd::Stop(r) => { let _ = r.send(n); break; }
                }
            }
            // Pretend to write the count somewhere slow.
            std::thread::sleep(std::time::Duration::from_millis(400));
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
        let (r, a) = crossbeam_channel::bounded(1);
        self.tx.send(Cmd::Stop(r)).unwrap();
        a.recv().unwrap()
    }
}
