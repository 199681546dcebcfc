//! The reference design with the standard library's channels.
use std::sync::mpsc::{channel, sync_channel, Sender, SyncSender};
use std::thread::JoinHandle;

enum Msg {
    Add(u64),
    Total(SyncSender<u64>),
    Stop,
}

pub struct Tally {
    inbox: Sender<Msg>,
    worker: JoinHandle<u64>,
}

impl Tally {
    pub fn start() -> Tally {
        let (inbox, messages) = channel();
        let worker = std::thread::spawn(move || {
            let mut total = 0u64;
            for msg in messages {
                match msg {
                    Msg::Add(n) => total = total.wrapping_add(n),
                    Msg::Total(reply) => drop(reply.send(total)),
                    Msg::Stop => break,
                }
            }
            total
        });
        Tally { inbox, worker }
    }
    pub fn add(&self, n: u64) {
        self.inbox.send(Msg::Add(n)).unwrap();
    }
    pub fn total(&self) -> u64 {
        let (reply, answer) = sync_channel(1);
        self.inbox.send(Msg::Total(reply)).unwrap();
        answer.recv().unwrap()
    }
    pub fn shutdown(self) -> u64 {
        self.inbox.send(Msg::Stop).unwrap();
        self.worker.join().unwrap()
    }
}
