//! expect: busy-loop
//! The worker polls its mailbox with `try_recv` in a loop: right answers,
//! but an idle tally keeps a core busy.
use crossbeam_channel::{bounded, unbounded, Sender, TryRecvError};
use std::thread::JoinHandle;

enum Msg {
    Add(u64),
    Total(Sender<u64>),
    Stop,
}

pub struct Tally {
    inbox: Sender<Msg>,
    worker: JoinHandle<u64>,
}

impl Tally {
    pub fn start() -> Tally {
        let (inbox, messages) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut total = 0u64;
            loop {
                match messages.try_recv() {
                    Ok(Msg::Add(n)) => total += n,
                    Ok(Msg::Total(reply)) => drop(reply.send(total)),
                    Ok(Msg::Stop) | Err(TryRecvError::Disconnected) => break,
                    Err(TryRecvError::Empty) => {}
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
        let (reply, answer) = bounded(1);
        self.inbox.send(Msg::Total(reply)).unwrap();
        answer.recv().unwrap()
    }
    pub fn shutdown(self) -> u64 {
        self.inbox.send(Msg::Stop).unwrap();
        self.worker.join().unwrap()
    }
}
