//! The ledger exercise: one owner thread holds every account's balance;
//! clients credit, debit, transfer and ask for balances or the total.

use std::collections::{BTreeMap, HashMap};

use threadlings_judge::lincheck::{History, Model};

/// An account number.
pub type Account = u32;

/// A call on the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerOp {
    /// Add `amount` to `account`.
    Credit {
        /// The account credited.
        account: Account,
        /// How much.
        amount: u64,
    },
    /// Take `amount` from `account` if it holds enough.
    Debit {
        /// The account debited.
        account: Account,
        /// How much.
        amount: u64,
    },
    /// Report `account`'s balance.
    Balance {
        /// The account asked about.
        account: Account,
    },
    /// Move `amount` from `from` to `to`, all or nothing.
    Transfer {
        /// The account paying.
        from: Account,
        /// The account paid.
        to: Account,
        /// How much.
        amount: u64,
    },
    /// Report the sum of all balances.
    Total,
}

/// Why a debit or transfer was refused: the paying account held too little.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Refused {
    /// What the paying account held.
    pub balance: u64,
    /// What was asked for.
    pub requested: u64,
}

/// What a ledger call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerRet {
    /// A balance: the new one after a credit, or the one asked for.
    Balance(u64),
    /// A debit's new balance, or why it was refused.
    Debit(Result<u64, Refused>),
    /// Whether a transfer happened.
    Transfer(Result<(), Refused>),
    /// The sum of all balances.
    Total(u64),
}

/// The ledger's state: every account starts empty.
///
/// Zero balances are never stored, so two ledgers holding the same money
/// are equal and hash equal, which the checker's cache relies on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LedgerModel {
    /// Non-zero balances by account; a missing account holds 0.
    pub balances: BTreeMap<Account, u64>,
}

impl LedgerModel {
    /// What `account` holds.
    pub fn balance(&self, account: Account) -> u64 {
        self.balances.get(&account).copied().unwrap_or(0)
    }

    fn set(&mut self, account: Account, balance: u64) {
        if balance == 0 {
            self.balances.remove(&account);
        } else {
            self.balances.insert(account, balance);
        }
    }
}

impl Model for LedgerModel {
    type Input = LedgerOp;
    type Output = LedgerRet;

    fn step(&self, input: &LedgerOp) -> (Self, LedgerRet) {
        let mut next = self.clone();
        let ret = match *input {
            LedgerOp::Credit { account, amount } => {
                // Saturating: the checker must not panic on a learner's
                // overflow; the learner's own code decides what really happens.
                let balance = self.balance(account).saturating_add(amount);
                next.set(account, balance);
                LedgerRet::Balance(balance)
            }
            LedgerOp::Debit { account, amount } => {
                let balance = self.balance(account);
                if balance >= amount {
                    next.set(account, balance - amount);
                    LedgerRet::Debit(Ok(balance - amount))
                } else {
                    LedgerRet::Debit(Err(Refused {
                        balance,
                        requested: amount,
                    }))
                }
            }
            LedgerOp::Balance { account } => LedgerRet::Balance(self.balance(account)),
            LedgerOp::Transfer { from, to, amount } => {
                let balance = self.balance(from);
                if balance < amount {
                    LedgerRet::Transfer(Err(Refused {
                        balance,
                        requested: amount,
                    }))
                } else {
                    // A transfer to the same account succeeds when the
                    // balance covers it and changes nothing: the money
                    // leaves and comes back in one step.
                    if from != to {
                        next.set(from, balance - amount);
                        next.set(to, self.balance(to).saturating_add(amount));
                    }
                    LedgerRet::Transfer(Ok(()))
                }
            }
            LedgerOp::Total => LedgerRet::Total(
                self.balances
                    .values()
                    .fold(0u64, |sum, &b| sum.saturating_add(b)),
            ),
        };
        (next, ret)
    }

    /// Groups calls into connected components of the accounts they touch:
    /// a transfer joins its two accounts, and a `total()` touches every
    /// account, so any total means one single part (`None`).
    fn partition(history: &History<Self>) -> Option<Vec<Vec<usize>>> {
        let mut sets = UnionFind::default();
        for op in history {
            match op.input {
                LedgerOp::Credit { account, .. }
                | LedgerOp::Debit { account, .. }
                | LedgerOp::Balance { account } => {
                    sets.find(account);
                }
                LedgerOp::Transfer { from, to, .. } => sets.union(from, to),
                LedgerOp::Total => return None,
            }
        }
        // Parts in order of first appearance, so the output is deterministic.
        let mut part_of_root: HashMap<usize, usize> = HashMap::new();
        let mut parts: Vec<Vec<usize>> = Vec::new();
        for (i, op) in history.iter().enumerate() {
            let account = match op.input {
                LedgerOp::Credit { account, .. }
                | LedgerOp::Debit { account, .. }
                | LedgerOp::Balance { account } => account,
                LedgerOp::Transfer { from, .. } => from,
                LedgerOp::Total => unreachable!("histories with a total are not split"),
            };
            let root = sets.find(account);
            let part = *part_of_root.entry(root).or_insert_with(|| {
                parts.push(Vec::new());
                parts.len() - 1
            });
            parts[part].push(i);
        }
        Some(parts)
    }

    fn describe(&self) -> String {
        if self.balances.is_empty() {
            return "every account is empty".to_string();
        }
        let held: Vec<String> = self
            .balances
            .iter()
            .map(|(account, balance)| format!("account {account} holds {balance}"))
            .collect();
        format!("{} and every other account is empty", held.join(", "))
    }

    fn call_label(input: &LedgerOp) -> String {
        match *input {
            LedgerOp::Credit { account, amount } => format!("credit({account}, {amount})"),
            LedgerOp::Debit { account, amount } => format!("debit({account}, {amount})"),
            LedgerOp::Balance { account } => format!("balance({account})"),
            LedgerOp::Transfer { from, to, amount } => format!("transfer({from}, {to}, {amount})"),
            LedgerOp::Total => "total()".to_string(),
        }
    }

    fn result_label(output: &LedgerRet) -> Option<String> {
        Some(match output {
            LedgerRet::Balance(balance) | LedgerRet::Total(balance) => balance.to_string(),
            LedgerRet::Debit(Ok(balance)) => format!("Ok({balance})"),
            LedgerRet::Transfer(Ok(())) => "Ok".to_string(),
            LedgerRet::Debit(Err(refused)) | LedgerRet::Transfer(Err(refused)) => {
                format!("Err(balance {})", refused.balance)
            }
        })
    }
}

/// Union-find over account numbers with path halving; accounts get dense
/// indices on first sight.
#[derive(Default)]
struct UnionFind {
    index: HashMap<Account, usize>,
    parent: Vec<usize>,
}

impl UnionFind {
    fn find(&mut self, account: Account) -> usize {
        let next = self.parent.len();
        let mut x = *self.index.entry(account).or_insert(next);
        if x == next {
            self.parent.push(next);
        }
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: Account, b: Account) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.parent[ra] = rb;
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
