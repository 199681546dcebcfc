//! expect: panic
//! Hostile: Recurses without end.
use crossbeam_channel::{unbounded, Sender};
use std::thread::JoinHandle;

enum Message {
    Add(i64),
    Reset,
    Get(Sender<i64>),
    Stop,
}

/// A handle to the worker thread that owns the count.
pub struct Counter {
    mailbox: Sender<Message>,
    worker: JoinHandle<i64>,
}

impl Counter {
    /// Spawns the worker thread that owns the count (starts at 0).
    pub fn start() -> Counter {
        fn deeper(n: u64) -> u64 {
            let pad = std::hint::black_box([n; 64]);
            deeper(pad[3] + 1) + pad[5]
        }
        std::hint::black_box(deeper(0));
        let (mailbox, inbox) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut count: i64 = 0;
            // The loop also ends if every sender is gone, so the worker can
            // never outlive a `Counter` that was dropped without `shutdown`.
            for message in inbox {
                match message {
                    Message::Add(delta) => count += delta,
                    Message::Reset => count = 0,
                    Message::Get(reply) => {
                        // The caller may have given up; that is not our problem.
                        let _ = reply.send(count);
                    }
                    Message::Stop => break,
                }
            }
            count
        });
        Counter { mailbox, worker }
    }

    fn send(&self, message: Message) {
        self.mailbox
            .send(message)
            .expect("the counter's worker thread has stopped");
    }

    /// Adds one to the count.
    pub fn increment(&self) {
        self.send(Message::Add(1));
    }

    /// Subtracts one from the count.
    pub fn decrement(&self) {
        self.send(Message::Add(-1));
    }

    /// Sets the count to 0.
    pub fn reset(&self) {
        self.send(Message::Reset);
    }

    /// The count, including every command this same thread sent before.
    pub fn get(&self) -> i64 {
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.send(Message::Get(reply));
        answer.recv().expect("the counter's worker thread has stopped")
    }

    /// Applies every command sent before, stops the worker, joins it and
    /// returns the final count.
    pub fn shutdown(self) -> i64 {
        self.send(Message::Stop);
        self.worker.join().expect("the counter's worker thread panicked")
    }
}