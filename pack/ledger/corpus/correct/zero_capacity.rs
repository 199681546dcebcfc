//! The reference design with a zero-capacity mailbox: every request is a
//! rendezvous with the worker. Slow under load, but correct.
use crossbeam_channel::{bounded, Sender};
use std::collections::{BTreeMap, HashMap};
use std::thread::JoinHandle;

/// An account number.
pub type Account = u32;

/// Why a debit or transfer was refused.
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

/// A handle to the worker thread that owns the balances.
pub struct Ledger {
    mailbox: Sender<Request>,
    worker: JoinHandle<HashMap<Account, u64>>,
}

/// Takes `amount` from `account` if it holds enough: the new balance.
fn take(
    balances: &mut HashMap<Account, u64>,
    account: Account,
    amount: u64,
) -> Result<u64, InsufficientFunds> {
    let balance = balances.entry(account).or_insert(0);
    if *balance < amount {
        return Err(InsufficientFunds {
            balance: *balance,
            requested: amount,
        });
    }
    *balance -= amount;
    Ok(*balance)
}

fn run(inbox: crossbeam_channel::Receiver<Request>) -> HashMap<Account, u64> {
    let mut balances: HashMap<Account, u64> = HashMap::new();
    // Replies may fail when a caller gave up waiting; that is not our problem.
    // The loop also ends if every sender is gone, so the worker never
    // outlives a `Ledger` that was dropped without `shutdown`.
    for request in inbox {
        match request {
            Request::Credit(account, amount, reply) => {
                let balance = balances.entry(account).or_insert(0);
                *balance += amount;
                let _ = reply.send(*balance);
            }
            Request::Debit(account, amount, reply) => {
                let _ = reply.send(take(&mut balances, account, amount));
            }
            Request::Balance(account, reply) => {
                let _ = reply.send(balances.get(&account).copied().unwrap_or(0));
            }
            Request::Transfer(from, to, amount, reply) => {
                // Check and move in one step: both or neither.
                let result = take(&mut balances, from, amount).map(|_| {
                    *balances.entry(to).or_insert(0) += amount;
                });
                let _ = reply.send(result);
            }
            Request::Total(reply) => {
                let _ = reply.send(balances.values().sum());
            }
            Request::Stop => break,
        }
    }
    balances
}

impl Ledger {
    /// Spawns the worker thread that owns the balances (all 0).
    pub fn start() -> Ledger {
        let (mailbox, inbox) = bounded(0);
        let worker = std::thread::spawn(move || run(inbox));
        Ledger { mailbox, worker }
    }

    /// Sends a request built around a fresh reply channel and waits for
    /// the answer.
    fn ask<T>(&self, request: impl FnOnce(Sender<T>) -> Request) -> T {
        let (reply, answer) = bounded(1);
        self.mailbox
            .send(request(reply))
            .expect("the ledger's worker thread has stopped");
        answer
            .recv()
            .expect("the ledger's worker thread has stopped")
    }

    /// Adds `amount`; returns the new balance.
    pub fn credit(&self, account: Account, amount: u64) -> u64 {
        self.ask(|r| Request::Credit(account, amount, r))
    }

    /// Subtracts `amount` if the balance covers it: the new balance.
    pub fn debit(&self, account: Account, amount: u64) -> Result<u64, InsufficientFunds> {
        self.ask(|r| Request::Debit(account, amount, r))
    }

    /// The balance of `account`.
    pub fn balance(&self, account: Account) -> u64 {
        self.ask(|r| Request::Balance(account, r))
    }

    /// Moves `amount` from one account to another: both or neither.
    pub fn transfer(
        &self,
        from: Account,
        to: Account,
        amount: u64,
    ) -> Result<(), InsufficientFunds> {
        self.ask(|r| Request::Transfer(from, to, amount, r))
    }

    /// The sum of all balances, observed in one step.
    pub fn total(&self) -> u64 {
        self.ask(Request::Total)
    }

    /// Applies everything sent before, stops and joins the worker, and
    /// returns every account whose balance is not 0.
    pub fn shutdown(self) -> BTreeMap<Account, u64> {
        self.mailbox
            .send(Request::Stop)
            .expect("the ledger's worker thread has stopped");
        let balances = self
            .worker
            .join()
            .expect("the ledger's worker thread panicked");
        balances.into_iter().filter(|&(_, b)| b != 0).collect()
    }
}
