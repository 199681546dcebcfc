//! expect: linearizable
//! transfer() is a debit followed by a separate credit: two messages. Between
//! them the money is in neither account, and a total() that lands there
//! sees less than there is.
use crossbeam_channel::{bounded, unbounded, Sender};
use std::collections::{BTreeMap, HashMap};
use std::thread::JoinHandle;

pub type Account = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsufficientFunds { pub balance: u64, pub requested: u64 }

enum Req {
    Add(Account, u64, Sender<u64>),
    Sub(Account, u64, Sender<Result<u64, InsufficientFunds>>),
    Get(Account, Sender<u64>),
    Move(Account, Account, u64, Sender<Result<(), InsufficientFunds>>),
    Total(Sender<u64>),
    Stop,
}

pub struct Ledger { tx: Sender<Req>, worker: JoinHandle<HashMap<Account, u64>> }

impl Ledger {
    pub fn start() -> Ledger {
        let (tx, rx) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut m: HashMap<Account, u64> = HashMap::new();
            for r in rx {
                match r {
                    Req::Add(a, n, r) => { let b = m.entry(a).or_insert(0); *b += n; let _ = r.send(*b); }
                    Req::Sub(a, n, r) => {
                        let b = m.entry(a).or_insert(0);
                        if *b < n { let _ = r.send(Err(InsufficientFunds { balance: *b, requested: n })); }
                        else { *b -= n; let _ = r.send(Ok(*b)); }
                    }
                    Req::Get(a, r) => { let _ = r.send(m.get(&a).copied().unwrap_or(0)); }
                    Req::Move(f, t, n, r) => {
                        let b = m.get(&f).copied().unwrap_or(0);
                        if b < n { let _ = r.send(Err(InsufficientFunds { balance: b, requested: n })); continue; }
                        m.insert(f, b - n);
                        *m.entry(t).or_insert(0) += n;
                        let _ = r.send(Ok(()));
                    }
                    Req::Total(r) => { let _ = r.send(m.values().sum()); }
                    Req::Stop => break,
                }
            }
            m
        });
        Ledger { tx, worker }
    }
    pub fn credit(&self, account: Account, amount: u64) -> u64 {
        let (r, a) = bounded(1); self.tx.send(Req::Add(account, amount, r)).unwrap(); a.recv().unwrap()
    }
    pub fn debit(&self, account: Account, amount: u64) -> Result<u64, InsufficientFunds> {
        let (r, a) = bounded(1); self.tx.send(Req::Sub(account, amount, r)).unwrap(); a.recv().unwrap()
    }
    pub fn balance(&self, account: Account) -> u64 {
        let (r, a) = bounded(1); self.tx.send(Req::Get(account, r)).unwrap(); a.recv().unwrap()
    }
    pub fn transfer(&self, from: Account, to: Account, amount: u64) -> Result<(), InsufficientFunds> {
        self.debit(from, amount)?;
        self.credit(to, amount);
        Ok(())
    }
    pub fn total(&self) -> u64 {
        let (r, a) = bounded(1); self.tx.send(Req::Total(r)).unwrap(); a.recv().unwrap()
    }
    pub fn shutdown(self) -> BTreeMap<Account, u64> {
        self.tx.send(Req::Stop).unwrap();
        self.worker.join().unwrap().into_iter().filter(|&(_, b)| b != 0).collect()
    }
}
