// Binds the learner's `solution` to the driver's trait. The tool prepends
// `#![forbid(unsafe_code)]`, `mod solution;` (the learner's file) and
// `use threadlings_pack::ledger as driver;`.

use driver::Refused;
use std::collections::BTreeMap;

struct Api(solution::Ledger);

fn refused(e: solution::InsufficientFunds) -> Refused {
    let solution::InsufficientFunds { balance, requested } = e;
    Refused { balance, requested }
}

impl driver::Ledger for Api {
    fn credit(&self, account: solution::Account, amount: u64) -> u64 {
        self.0.credit(account, amount)
    }
    fn debit(&self, account: u32, amount: u64) -> Result<u64, Refused> {
        self.0.debit(account, amount).map_err(refused)
    }
    fn balance(&self, account: u32) -> u64 {
        self.0.balance(account)
    }
    fn transfer(&self, from: u32, to: u32, amount: u64) -> Result<(), Refused> {
        self.0.transfer(from, to, amount).map_err(refused)
    }
    fn total(&self) -> u64 {
        self.0.total()
    }
    fn shutdown(self: Box<Self>) -> BTreeMap<u32, u64> {
        self.0.shutdown()
    }
}

fn main() {
    driver::main(|| Box::new(Api(solution::Ledger::start())))
}
