//! expect: leaked-workers
//! `shutdown` reads the total and returns without stopping the worker: it
//! waits on its mailbox forever, since the handle keeps a sender alive in a
//! clone it leaks.
use crossbeam_channel::{bounded, unbounded, Sender};

enum Msg {
    Add(u64),
    Total(Sender<u64>),
}

pub struct Tally {
    inbox: Sender<Msg>,
}

impl Tally {
    pub fn start() -> Tally {
        let (inbox, messages) = unbounded();
        std::thread::spawn(move || {
            let mut total = 0u64;
            for msg in messages {
                match msg {
                    Msg::Add(n) => total += n,
                    Msg::Total(reply) => drop(reply.send(total)),
                }
            }
        });
        Tally { inbox }
    }
    pub fn add(&self, n: u64) {
        self.inbox.send(Msg::Add(n)).unwrap();
    }
    pub fn total(&self) -> u64 {
        let (reply, answer) = bounded(1);
        self.inbox.send(Msg::Total(reply)).unwrap();
        answer.recv().unwrap()
    }
    pub fn shutdown(self) -> u64 {
        let total = self.total();
        std::mem::forget(self.inbox.clone());
        total
    }
}
