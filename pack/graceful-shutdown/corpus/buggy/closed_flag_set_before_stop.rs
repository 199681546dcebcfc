//! expect: lost-messages
//! (c) The narrowest form of a closed flag checked before sending:
//! shutdown() sets the flag and sends Stop straight after, and submit()
//! reads the flag and sends straight after. A client that read "open" a
//! moment before the flag was set can still send its command behind Stop;
//! the worker stops at Stop, and a command that submit() accepted is never
//! applied. The window is a few hundred nanoseconds wide.
use crossbeam_channel::{unbounded, Receiver, Sender};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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

pub struct Orders { tx: Sender<Msg>, closed: Arc<AtomicBool>, worker: JoinHandle<Summary> }
#[derive(Clone)]
pub struct Handle { tx: Sender<Msg>, closed: Arc<AtomicBool> }

fn run(rx: Receiver<Msg>) -> Summary {
    let mut s = Summary::default();
    for m in rx.iter() {
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
        let (tx, rx) = unbounded();
        let closed = Arc::new(AtomicBool::new(false));
        Orders { tx, closed, worker: std::thread::spawn(move || run(rx)) }
    }
    pub fn handle(&self) -> Handle { Handle { tx: self.tx.clone(), closed: self.closed.clone() } }
    pub fn shutdown(self) -> Summary {
        self.closed.store(true, Ordering::SeqCst);
        let _ = self.tx.send(Msg::Stop);
        self.worker.join().unwrap()
    }
}

impl Handle {
    fn send(&self, m: Msg) -> Result<(), Stopped> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(Stopped);
        }
        self.tx.send(m).map_err(|_| Stopped)
    }
    pub fn submit(&self, cmd: Command) -> Result<(), Stopped> { self.send(Msg::Apply(cmd)) }
    pub fn status(&self, id: OrderId) -> Result<Option<Status>, Stopped> {
        let (r, a) = crossbeam_channel::bounded(1);
        self.send(Msg::Status(id, r))?;
        a.recv().map_err(|_| Stopped)
    }
}
