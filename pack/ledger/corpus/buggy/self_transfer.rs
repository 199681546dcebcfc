//! expect: correctness
//! The worker reads both balances first and then writes both back. For two
//! different accounts that is right; for a transfer from an account to
//! itself the second write uses a stale read, so the "transfer" creates
//! money (the balance grows by the amount).
use crossbeam_channel::{bounded, unbounded, Sender};
use std::collections::{BTreeMap, HashMap};
use std::thread::JoinHandle;

pub type Account = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsufficientFunds {
    pub balance: u64,
    pub requested: u64,
}

enum Request {
    Credit(Account, u64, Sender<u64>),
    Debit(Account, u64, Sender<Result<u64, InsufficientFunds>>),
    Balance(Account, Sender<u64>),
    Transfer(Account, Account, u64, Sender<Result<(), InsufficientFunds>>),
    Total(Sender<u64>),
    Stop,
}

pub struct Ledger {
    tx: Sender<Request>,
    worker: JoinHandle<HashMap<Account, u64>>,
}

impl Ledger {
    pub fn start() -> Ledger {
        let (tx, rx) = unbounded();
        let worker = std::thread::spawn(move || {
            let mut balances: HashMap<Account, u64> = HashMap::new();
            for request in rx {
                match request {
                    Request::Credit(a, n, reply) => {
                        let b = balances.entry(a).or_insert(0);
                        *b += n;
                        let _ = reply.send(*b);
                    }
                    Request::Debit(a, n, reply) => {
                        let b = balances.entry(a).or_insert(0);
                        let result = if *b < n {
                            Err(InsufficientFunds { balance: *b, requested: n })
                        } else {
                            *b -= n;
                            Ok(*b)
                        };
                        let _ = reply.send(result);
                    }
                    Request::Balance(a, reply) => {
                        let _ = reply.send(balances.get(&a).copied().unwrap_or(0));
                    }
                    Request::Transfer(from, to, n, reply) => {
                        let from_balance = balances.get(&from).copied().unwrap_or(0);
                        let to_balance = balances.get(&to).copied().unwrap_or(0);
                        let result = if from_balance < n {
                            Err(InsufficientFunds { balance: from_balance, requested: n })
                        } else {
                            balances.insert(from, from_balance - n);
                            balances.insert(to, to_balance + n);
                            Ok(())
                        };
                        let _ = reply.send(result);
                    }
                    Request::Total(reply) => {
                        let _ = reply.send(balances.values().sum());
                    }
                    Request::Stop => break,
                }
            }
            balances
        });
        Ledger { tx, worker }
    }

    fn ask<T>(&self, request: impl FnOnce(Sender<T>) -> Request) -> T {
        let (reply, answer) = bounded(1);
        self.tx.send(request(reply)).expect("worker stopped");
        answer.recv().expect("worker stopped")
    }

    pub fn credit(&self, account: Account, amount: u64) -> u64 {
        self.ask(|r| Request::Credit(account, amount, r))
    }

    pub fn debit(&self, account: Account, amount: u64) -> Result<u64, InsufficientFunds> {
        self.ask(|r| Request::Debit(account, amount, r))
    }

    pub fn balance(&self, account: Account) -> u64 {
        self.ask(|r| Request::Balance(account, r))
    }

    pub fn transfer(&self, from: Account, to: Account, amount: u64) -> Result<(), InsufficientFunds> {
        self.ask(|r| Request::Transfer(from, to, amount, r))
    }

    pub fn total(&self) -> u64 {
        self.ask(Request::Total)
    }

    pub fn shutdown(self) -> BTreeMap<Account, u64> {
        let _ = self.tx.send(Request::Stop);
        let balances = self.worker.join().expect("worker panicked");
        balances.into_iter().filter(|&(_, b)| b != 0).collect()
    }
}
