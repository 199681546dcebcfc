//! A zero-capacity mailbox: a send returns Ok only once the worker has
//! taken the message, so an accepted command is already in the worker's
//! hands. After Stop the worker leaves its loop and drops the receiver:
//! every send from then on fails with a disconnected error, forever.
use crossbeam_channel::{bounded, Receiver, Sender};
use std::thread::JoinHandle;
use std::collections::BTreeMap;

pub type OrderId = u64;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status { Created, Paid, Shipped, Cancelled }
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command { Create(OrderId), Pay(OrderId), Ship(OrderId), Cancel(OrderId) }
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary { pub statuses: BTreeMap<OrderId, Status>, pub applied: u64, pub rejected: u64 }

fn id_of(c: Command) -> OrderId {
    match c { Command::Create(i) | Command::Pay(i) | Command::Ship(i) | Command::Cancel(i) => i }
}

fn apply(s: &mut Summary, c: Command) {
    let id = id_of(c);
    let next = match (c, s.statuses.get(&id).copied()) {
        (Command::Create(_), None) => Some(Status::Created),
        (Command::Pay(_), Some(Status::Created)) => Some(Status::Paid),
        (Command::Ship(_), Some(Status::Paid)) => Some(Status::Shipped),
        (Command::Cancel(_), Some(Status::Created | Status::Paid)) => Some(Status::Cancelled),
        _ => None,
    };
    match next {
        Some(st) => { s.statuses.insert(id, st); s.applied += 1; }
        None => s.rejected += 1,
    }
}
enum Msg { Apply(Command), Status(OrderId, Sender<Option<Status>>), Stop }

pub struct Orders { tx: Sender<Msg>, worker: JoinHandle<Summary> }
#[derive(Clone)]
pub struct Handle { tx: Sender<Msg> }

fn run(rx: Receiver<Msg>) -> Summary {
    let mut s = Summary::default();
    for m in rx {
        match m {
            Msg::Apply(c) => apply(&mut s, c),
            Msg::Status(id, r) => { let _ = r.send(s.statuses.get(&id).copied()); }
            Msg::Stop => break,
        }
    }
    s
}

impl Orders {
    pub fn start() -> Orders {
        let (tx, rx) = bounded(0);
        Orders { tx, worker: std::thread::spawn(move || run(rx)) }
    }
    pub fn handle(&self) -> Handle { Handle { tx: self.tx.clone() } }
    pub fn shutdown(self) -> Summary {
        let _ = self.tx.send(Msg::Stop);
        self.worker.join().unwrap()
    }
}

impl Handle {
    pub fn submit(&self, cmd: Command) -> Result<(), Stopped> {
        self.tx.send(Msg::Apply(cmd)).map_err(|_| Stopped)
    }
    pub fn status(&self, id: OrderId) -> Result<Option<Status>, Stopped> {
        let (r, a) = bounded(1);
        self.tx.send(Msg::Status(id, r)).map_err(|_| Stopped)?;
        a.recv().map_err(|_| Stopped)
    }
}
