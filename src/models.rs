//! Sequential specifications of the course's exercises.
//!
//! Each model says what one call does when calls happen one at a time; the
//! [`linearizability`](crate::linearizability) checker then decides whether
//! a history recorded on real threads can be explained by some order of its
//! calls. The input and output types are exactly what the engine parses the
//! harness records into.

pub mod counter;
pub mod ledger;
pub mod orders;

pub use counter::{CounterModel, CounterOp, CounterRet};
pub use ledger::{Account, LedgerModel, LedgerOp, LedgerRet, Refused};
pub use orders::{Command, OrderId, OrdersModel, OrdersOp, OrdersRet, Status};
