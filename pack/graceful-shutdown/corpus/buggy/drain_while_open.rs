//! expect: lost-messages
//! (b) On Stop the worker drains what is queued and exits, but the mailbox
//! stays open: the owner keeps a receiver of its own until shutdown() ends,
//! so a submit that lands after the drain is accepted and never applied.
use crossbeam_channel::{unbounded, Receiver, Sender};
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

pub struct Orders { tx: Sender<Msg>, _rx: Receiver<Msg>, worker: JoinHandle<Summary> }
#[derive(Clone)]
pub struct Handle { tx: Sender<Msg> }

fn handle_msg(s: &mut Summary, m: Msg) {
    match m {
        Msg::Apply(c) => apply(s, c),
        Msg::Status(id, r) => { let _ = r.send(s.statuses.get(&id).copied()); }
        Msg::Stop => {}
    }
}

impl Orders {
    pub fn start() -> Orders {
        let (tx, rx) = unbounded::<Msg>();
        let inbox = rx.clone();
        let worker = std::thread::spawn(move || {
            let mut s = Summary::default();
            while let Ok(m) = inbox.recv() {
                if let Msg::Stop = m {
                    // Drain what is already queued, then stop.
                    while let Ok(m) = inbox.try_recv() { handle_msg(&mut s, m); }
                    break;
                }
                handle_msg(&mut s, m);
            }
            s
        });
        Orders { tx, _rx: rx, worker }
    }
    pub fn handle(&self) -> Handle { Handle { tx: self.tx.clone() } }
    pub fn shutdown(self) -> Summary {
        let _ = self.tx.send(Msg::Stop);
        let summary = self.worker.join().unwrap();
        // Tidy up a little before returning (the mailbox is still open).
        std::thread::sleep(std::time::Duration::from_millis(1));
        summary
    }
}

impl Handle {
    pub fn submit(&self, cmd: Command) -> Result<(), Stopped> {
        self.tx.send(Msg::Apply(cmd)).map_err(|_| Stopped)
    }
    pub fn status(&self, id: OrderId) -> Result<Option<Status>, Stopped> {
        let (r, a) = crossbeam_channel::bounded(1);
        self.tx.send(Msg::Status(id, r)).map_err(|_| Stopped)?;
        a.recv().map_err(|_| Stopped)
    }
}
