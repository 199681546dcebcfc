//! Reference solution for the `graceful-shutdown` exercise.
//!
//! One worker thread owns every order and reads one mailbox. Commands,
//! status queries and the final `Stop` all travel through that mailbox, so
//! the worker sees them in the order they were sent: a status query queues
//! behind every command the same thread submitted before (read-your-writes),
//! and `Stop` queues behind every command that was accepted.
//!
//! "Accepted means applied" rests on one gate, an `RwLock<bool>` that says
//! whether the service is open. A client holds it for *reading* while it
//! checks it and sends, so many clients send at once. `shutdown` takes it
//! for *writing* to close it: that waits until every send in progress has
//! finished, and after it no send can start. So every accepted command is in
//! the mailbox before `Stop` is, and the worker applies it before it stops.
//! Checking a flag and then sending without the lock would leave a gap in
//! which a command could land behind `Stop` and be lost.
//!
//! The gate is never opened again, so a thread that saw `Stopped` keeps
//! seeing it, and after shutdown every call fails at once without touching
//! the channel. `shutdown` never waits for handles to be dropped: the worker
//! leaves its loop on `Stop`, not when every sender is gone.

use crossbeam_channel::{unbounded, Receiver, Sender};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;

/// An order number.
pub type OrderId = u64;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Created,
    Paid,
    Shipped,
    Cancelled,
}

/// A command for the order service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Create(OrderId),
    Pay(OrderId),
    Ship(OrderId),
    Cancel(OrderId),
}

/// The service has begun shutting down: the call was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// What `shutdown` returns: every order's status and the command counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub statuses: BTreeMap<OrderId, Status>,
    pub applied: u64,
    pub rejected: u64,
}

enum Message {
    Apply(Command),
    Status(OrderId, Sender<Option<Status>>),
    Stop,
}

struct Shared {
    /// `true` while the service accepts calls. Held for reading while
    /// sending, taken for writing to close.
    open: RwLock<bool>,
    mailbox: Sender<Message>,
}

/// The owner of the service: starts it and shuts it down.
pub struct Orders {
    shared: Arc<Shared>,
    worker: JoinHandle<Summary>,
}

/// What clients hold to talk to the service.
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

fn next(current: Option<Status>, command: Command) -> Option<Status> {
    match (command, current) {
        (Command::Create(_), None) => Some(Status::Created),
        (Command::Pay(_), Some(Status::Created)) => Some(Status::Paid),
        (Command::Ship(_), Some(Status::Paid)) => Some(Status::Shipped),
        (Command::Cancel(_), Some(Status::Created | Status::Paid)) => Some(Status::Cancelled),
        _ => None,
    }
}

fn id_of(command: Command) -> OrderId {
    match command {
        Command::Create(id) | Command::Pay(id) | Command::Ship(id) | Command::Cancel(id) => id,
    }
}

fn run(inbox: Receiver<Message>) -> Summary {
    let mut summary = Summary::default();
    for message in inbox {
        match message {
            Message::Apply(command) => {
                let id = id_of(command);
                match next(summary.statuses.get(&id).copied(), command) {
                    Some(status) => {
                        summary.statuses.insert(id, status);
                        summary.applied += 1;
                    }
                    None => summary.rejected += 1,
                }
            }
            Message::Status(id, reply) => {
                // The caller may have given up; that is not our problem.
                let _ = reply.send(summary.statuses.get(&id).copied());
            }
            // Everything accepted was sent before Stop (see the gate).
            Message::Stop => break,
        }
    }
    summary
}

impl Orders {
    /// Spawns the worker thread that owns every order.
    pub fn start() -> Orders {
        let (mailbox, inbox) = unbounded();
        let worker = std::thread::Builder::new()
            .name("orders".into())
            .spawn(move || run(inbox))
            .expect("cannot start the orders worker");
        Orders {
            shared: Arc::new(Shared {
                open: RwLock::new(true),
                mailbox,
            }),
            worker,
        }
    }

    /// A new handle for a client.
    pub fn handle(&self) -> Handle {
        Handle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Stops accepting, applies every accepted command, joins the worker
    /// and returns the summary; returns even while handles are in use.
    pub fn shutdown(self) -> Summary {
        {
            // Waits for every send in progress; no send starts after this.
            let mut open = self.shared.open.write().unwrap_or_else(|e| e.into_inner());
            *open = false;
        }
        // Queues behind every accepted command. The worker holds the
        // receiver, so this cannot fail unless the worker panicked.
        let _ = self.shared.mailbox.send(Message::Stop);
        match self.worker.join() {
            Ok(summary) => summary,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl Handle {
    /// Sends `message` if the service is still open, holding the gate.
    fn send(&self, message: Message) -> Result<(), Stopped> {
        let open = self.shared.open.read().unwrap_or_else(|e| e.into_inner());
        if !*open {
            return Err(Stopped);
        }
        self.shared.mailbox.send(message).map_err(|_| Stopped)
    }

    /// Fire-and-forget: `Ok(())` means the command will be applied before
    /// `shutdown` returns; `Err(Stopped)` once shutdown has begun.
    pub fn submit(&self, cmd: Command) -> Result<(), Stopped> {
        self.send(Message::Apply(cmd))
    }

    /// The order's status, after every command this thread submitted.
    pub fn status(&self, id: OrderId) -> Result<Option<Status>, Stopped> {
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.send(Message::Status(id, reply))?;
        // Sent before Stop, so the worker answers it before it stops.
        answer.recv().map_err(|_| Stopped)
    }
}
