//! A separate stop channel, drained with select!: clients send through a
//! gate (an RwLock held for reading across the send); shutdown() closes the
//! gate for writing, so every accepted command is queued before it sends
//! on the stop channel. The worker selects over both channels and, on
//! stop, drains what is still queued before it ends.
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
enum Msg { Apply(Command), Status(OrderId, Sender<Option<Status>>) }

struct Shared { open: RwLock<bool>, tx: Sender<Msg> }
pub struct Orders { shared: Arc<Shared>, stop: Sender<()>, worker: JoinHandle<Summary> }
#[derive(Clone)]
pub struct Handle { shared: Arc<Shared> }

fn handle_msg(s: &mut Summary, m: Msg) {
    match m {
        Msg::Apply(c) => apply(s, c),
        Msg::Status(id, r) => { let _ = r.send(s.statuses.get(&id).copied()); }
    }
}

fn run(rx: Receiver<Msg>, stop: Receiver<()>) -> Summary {
    let mut s = Summary::default();
    loop {
        select! {
            recv(rx) -> m => match m {
                Ok(m) => handle_msg(&mut s, m),
                Err(_) => return s,
            },
            recv(stop) -> _ => {
                for m in rx.try_iter() { handle_msg(&mut s, m); }
                return s;
            }
        }
    }
}

impl Orders {
    pub fn start() -> Orders {
        let (tx, rx) = unbounded();
        let (stop, stop_rx) = unbounded();
        let shared = Arc::new(Shared { open: RwLock::new(true), tx });
        Orders { shared, stop, worker: std::thread::spawn(move || run(rx, stop_rx)) }
    }
    pub fn handle(&self) -> Handle { Handle { shared: self.shared.clone() } }
    pub fn shutdown(self) -> Summary {
        *self.shared.open.write().unwrap() = false;
        let _ = self.stop.send(());
        self.worker.join().unwrap()
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
