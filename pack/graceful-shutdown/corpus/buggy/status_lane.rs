//! expect: linearizable
//! Status queries travel on their own channel and the worker select!s
//! between the two: a query can overtake commands the same thread sent
//! before it, so status() misses the caller's own earlier submits.
use crossbeam_channel::{select, unbounded, Receiver, Sender};
use std::sync::{Arc, RwLock};
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
enum Msg { Apply(Command), Stop }

struct Shared { open: RwLock<bool>, tx: Sender<Msg>, queries: Sender<(OrderId, Sender<Option<Status>>)> }
pub struct Orders { shared: Arc<Shared>, worker: JoinHandle<Summary> }
#[derive(Clone)]
pub struct Handle { shared: Arc<Shared> }

fn run(rx: Receiver<Msg>, queries: Receiver<(OrderId, Sender<Option<Status>>)>) -> Summary {
    let mut s = Summary::default();
    loop {
        select! {
            recv(rx) -> m => match m {
                Ok(Msg::Apply(c)) => apply(&mut s, c),
                Ok(Msg::Stop) | Err(_) => return s,
            },
            recv(queries) -> q => if let Ok((id, r)) = q {
                let _ = r.send(s.statuses.get(&id).copied());
            },
        }
    }
}

impl Orders {
    pub fn start() -> Orders {
        let (tx, rx) = unbounded();
        let (queries, qrx) = unbounded();
        Orders {
            shared: Arc::new(Shared { open: RwLock::new(true), tx, queries }),
            worker: std::thread::spawn(move || run(rx, qrx)),
        }
    }
    pub fn handle(&self) -> Handle { Handle { shared: self.shared.clone() } }
    pub fn shutdown(self) -> Summary {
        *self.shared.open.write().unwrap() = false;
        let _ = self.shared.tx.send(Msg::Stop);
        self.worker.join().unwrap()
    }
}

impl Handle {
    pub fn submit(&self, cmd: Command) -> Result<(), Stopped> {
        let open = self.shared.open.read().unwrap();
        if !*open { return Err(Stopped); }
        self.shared.tx.send(Msg::Apply(cmd)).map_err(|_| Stopped)
    }
    pub fn status(&self, id: OrderId) -> Result<Option<Status>, Stopped> {
        let (r, a) = crossbeam_channel::bounded(1);
        {
            let open = self.shared.open.read().unwrap();
            if !*open { return Err(Stopped); }
            self.shared.queries.send((id, r)).map_err(|_| Stopped)?;
        }
        a.recv().map_err(|_| Stopped)
    }
}
