//! # Exercise: ledger
//!
//! One worker thread owns every account's balance. Every other thread
//! credits, debits, transfers or reads by sending a message to that worker
//! and waiting for its reply; nobody else ever touches the balances.
//!
//! Fill in the `todo!()`s. Keep the signatures exactly as they are: the tutor
//! calls them from many threads at once and checks the results.
//!
//! Rules of the game:
//! - Use `crossbeam_channel` and `std` only.
//! - `Ledger` is shared by reference between threads (`&Ledger` inside
//!   `std::thread::scope`), so it must be `Sync`.
//! - Every call is one step: whatever it reads and changes, it reads and
//!   changes as a single message handled by the worker. A call made of two
//!   messages can be split by other threads' calls landing in between.
//!
//! Run `threadlings check ledger` to check your work.

#![allow(dead_code, unused_imports)]

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::collections::{BTreeMap, HashMap};
use std::thread::JoinHandle;

/// An account number.
pub type Account = u32;

/// Why a debit or transfer was refused: the paying account held `balance`,
/// less than the `requested` amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InsufficientFunds {
    pub balance: u64,
    pub requested: u64,
}

/// A handle to the worker thread that owns the balances.
pub struct Ledger {
    // Your fields: for example the sending half of the worker's mailbox and
    // the worker's `JoinHandle`.
}

impl Ledger {
    /// Spawns the worker thread that owns the balances (every account starts
    /// at 0) and returns a handle to it.
    pub fn start() -> Ledger {
        todo!("spawn the worker thread and keep what you need to talk to it")
    }

    /// Adds `amount`; returns the new balance. Unknown accounts start at 0.
    pub fn credit(&self, account: Account, amount: u64) -> u64 {
        todo!("send a request that carries its own reply channel")
    }

    /// Subtracts `amount` if the balance covers it and returns the new balance;
    /// otherwise changes nothing and returns InsufficientFunds { balance, requested }.
    pub fn debit(&self, account: Account, amount: u64) -> Result<u64, InsufficientFunds> {
        todo!("the worker checks the balance and debits in the same step")
    }

    /// The balance of `account` (0 if it was never credited).
    pub fn balance(&self, account: Account) -> u64 {
        todo!()
    }

    /// Moves `amount` from one account to another atomically: both or neither.
    pub fn transfer(
        &self,
        from: Account,
        to: Account,
        amount: u64,
    ) -> Result<(), InsufficientFunds> {
        todo!("one message, not a debit followed by a credit")
    }

    /// The sum of all balances, as one atomic observation.
    pub fn total(&self) -> u64 {
        todo!()
    }

    /// Applies everything sent before, stops and joins the worker, returns every account whose balance is not 0.
    pub fn shutdown(self) -> BTreeMap<Account, u64> {
        todo!()
    }
}
