//! expect: linearizable
//! One worker per shard (accounts split by parity). Each shard is fine on its
//! own, but transfer() is a debit on one shard then a credit on another, and
//! total() asks the shards one after the other: a total taken while a
//! transfer is half done, or that meets a shard before and the other after a
//! transfer, sees money that does not exist or misses money that does.
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
    Sum(Sender<u64>),
    Stop,
}

const SHARDS: usize = 2;

pub struct Ledger { shards: Vec<(Sender<Req>, JoinHandle<HashMap<Account, u64>>)> }

fn shard_worker(rx: crossbeam_channel::Receiver<Req>) -> HashMap<Account, u64> {
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
            Req::Sum(r) => { let _ = r.send(m.values().sum()); }
            Req::Stop => break,
        }
    }
    m
}

impl Ledger {
    pub fn start() -> Ledger {
        let shards = (0..SHARDS)
            .map(|_| {
                let (tx, rx) = unbounded();
                (tx, std::thread::spawn(move || shard_worker(rx)))
            })
            .collect();
        Ledger { shards }
    }
    fn ask<T>(&self, account: Account, req: impl FnOnce(Sender<T>) -> Req) -> T {
        let (r, a) = bounded(1);
        self.shards[account as usize % SHARDS].0.send(req(r)).unwrap();
        a.recv().unwrap()
    }
    pub fn credit(&self, account: Account, amount: u64) -> u64 {
        self.ask(account, |r| Req::Add(account, amount, r))
    }
    pub fn debit(&self, account: Account, amount: u64) -> Result<u64, InsufficientFunds> {
        self.ask(account, |r| Req::Sub(account, amount, r))
    }
    pub fn balance(&self, account: Account) -> u64 {
        self.ask(account, |r| Req::Get(account, r))
    }
    pub fn transfer(&self, from: Account, to: Account, amount: u64) -> Result<(), InsufficientFunds> {
        self.debit(from, amount)?;
        self.credit(to, amount);
        Ok(())
    }
    pub fn total(&self) -> u64 {
        (0..SHARDS as Account).map(|s| self.ask(s, Req::Sum)).sum()
    }
    pub fn shutdown(self) -> BTreeMap<Account, u64> {
        let mut all = BTreeMap::new();
        for (tx, worker) in self.shards {
            tx.send(Req::Stop).unwrap();
            all.extend(worker.join().unwrap().into_iter().filter(|&(_, b)| b != 0));
        }
        all
    }
}
