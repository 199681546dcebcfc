//! expect: leaked-workers
//! shutdown() closes the gate, sends Stop with a reply channel and returns
//! the summary the worker sends back, without joining. The worker ends
//! right after it replies, so a moment later no thread is left over; but
//! shutdown() never waited for it.
use crossbeam_channel::{unbounded, Receiver, Sender};
use std::sync::{Arc, RwLock};
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
enum Msg { Apply(Command), Status(OrderId, Sender<Option<Status>>), Stop(Sender<Summary>) }

fn run(rx: Receiver<Msg>) {
    let mut s = Summary::default();
    for m in rx {
        match m {
            Msg::Apply(c) => apply(&mut s, c),
            Msg::Status(id, r) => { let _ = r.send(s.statuses.get(&id).copied()); }
            Msg::Stop(reply) => { let _ = reply.send(s); return; }
        }
    }
}

struct Shared { open: RwLock<bool>, tx: Sender<Msg> }
pub struct Orders { shared: Arc<Shared> }
#[derive(Clone)]
pub struct Handle { shared: Arc<Shared> }

impl Orders {
    pub fn start() -> Orders {
        let (tx, rx) = unbounded();
        std::thread::spawn(move || run(rx));
        Orders { shared: Arc::new(Shared { open: RwLock::new(true), tx }) }
    }
    pub fn handle(&self) -> Handle { Handle { shared: self.shared.clone() } }
    pub fn shutdown(self) -> Summary {
        let (reply, summary) = crossbeam_channel::bounded(1);
        {
            let mut open = self.shared.open.write().unwrap();
            *open = false;
            let _ = self.shared.tx.send(Msg::Stop(reply));
        }
        summary.recv().unwrap_or_default()
    }
}

impl Handle {
    fn send(&self, m: Msg) -> Result<(), Stopped> {
        let open = self.shared.open.read().unwrap();
        if !*open { return Err(Stopped); }
        self.shared.tx.send(m).map_err(|_| Stopped)
    }
    pub fn submit(&self, cmd: Command) -> Result<(), Stopped> { self.send(Msg::Apply(cmd)) }
    pub fn status(&self, id: OrderId) -> Result<Option<Status>, Stopped> {
        let (r, a) = crossbeam_channel::bounded(1);
        self.send(Msg::Status(id, r))?;
        a.recv().map_err(|_| Stopped)
    }
}
