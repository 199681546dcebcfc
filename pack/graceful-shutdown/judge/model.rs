//! The orders exercise: one owner thread runs every order's state machine;
//! clients submit commands and ask for an order's status.

use std::collections::{BTreeMap, HashMap};

use threadlings_judge::lincheck::{History, Model};

/// An order number.
pub type OrderId = u64;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Created, not paid yet.
    Created,
    /// Paid, not shipped yet.
    Paid,
    /// Shipped; final.
    Shipped,
    /// Cancelled before shipping; final.
    Cancelled,
}

/// A command sent to the order service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Create a new order.
    Create(OrderId),
    /// Pay a created order.
    Pay(OrderId),
    /// Ship a paid order.
    Ship(OrderId),
    /// Cancel an order that has not shipped.
    Cancel(OrderId),
}

impl Command {
    /// The order the command is about.
    pub fn order(&self) -> OrderId {
        match *self {
            Command::Create(id) | Command::Pay(id) | Command::Ship(id) | Command::Cancel(id) => id,
        }
    }
}

/// A call on the order service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrdersOp {
    /// Submit a command; it is accepted whether or not it applies.
    Submit(Command),
    /// Ask for an order's status.
    Status(OrderId),
}

impl OrdersOp {
    /// The one order the call touches.
    pub fn order(&self) -> OrderId {
        match self {
            OrdersOp::Submit(command) => command.order(),
            OrdersOp::Status(id) => *id,
        }
    }
}

/// What an order call returns. The engine records only calls that did not
/// fail with `Err(Stopped)`, so there is no error case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrdersRet {
    /// The command was taken (applied or rejected, the caller cannot tell).
    Accepted,
    /// The order's status, `None` if it does not exist.
    Status(Option<Status>),
}

/// The order service's state.
///
/// `applied` and `rejected` are never returned by any call, so they cannot
/// make a history fail; they are kept because the exercise reports them at
/// shutdown and explanations mention them. The cost is a slightly weaker
/// checker cache (orders that differ only in these counts are explored
/// separately), which is sound.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct OrdersModel {
    /// Status of every order that exists.
    pub statuses: BTreeMap<OrderId, Status>,
    /// Commands that changed an order.
    pub applied: u64,
    /// Commands that did not apply (and changed nothing).
    pub rejected: u64,
}

impl OrdersModel {
    /// The status `command` leads to from the current state, or `None` if
    /// the command is rejected.
    fn transition(&self, command: Command) -> Option<Status> {
        let current = self.statuses.get(&command.order()).copied();
        match (command, current) {
            (Command::Create(_), None) => Some(Status::Created),
            (Command::Pay(_), Some(Status::Created)) => Some(Status::Paid),
            (Command::Ship(_), Some(Status::Paid)) => Some(Status::Shipped),
            (Command::Cancel(_), Some(Status::Created | Status::Paid)) => Some(Status::Cancelled),
            _ => None,
        }
    }
}

impl Model for OrdersModel {
    type Input = OrdersOp;
    type Output = OrdersRet;

    fn step(&self, input: &OrdersOp) -> (Self, OrdersRet) {
        match *input {
            OrdersOp::Submit(command) => {
                let mut next = self.clone();
                match self.transition(command) {
                    Some(status) => {
                        next.statuses.insert(command.order(), status);
                        next.applied += 1;
                    }
                    None => next.rejected += 1,
                }
                (next, OrdersRet::Accepted)
            }
            OrdersOp::Status(id) => (
                self.clone(),
                OrdersRet::Status(self.statuses.get(&id).copied()),
            ),
        }
    }

    /// One part per order: every call touches exactly one order, and no
    /// result depends on another order or on the applied/rejected counts.
    fn partition(history: &History<Self>) -> Option<Vec<Vec<usize>>> {
        let mut part_of: HashMap<OrderId, usize> = HashMap::new();
        let mut parts: Vec<Vec<usize>> = Vec::new();
        for (i, op) in history.iter().enumerate() {
            let part = *part_of.entry(op.input.order()).or_insert_with(|| {
                parts.push(Vec::new());
                parts.len() - 1
            });
            parts[part].push(i);
        }
        Some(parts)
    }

    fn describe(&self) -> String {
        let orders = if self.statuses.is_empty() {
            "there are no orders".to_string()
        } else {
            let each: Vec<String> = self
                .statuses
                .iter()
                .map(|(id, status)| format!("order {id} is {status:?}"))
                .collect();
            each.join(", ")
        };
        format!(
            "{orders} ({} {} applied, {} rejected)",
            self.applied,
            if self.applied == 1 {
                "command"
            } else {
                "commands"
            },
            self.rejected
        )
    }

    fn call_label(input: &OrdersOp) -> String {
        match input {
            OrdersOp::Submit(command) => format!("submit({command:?})"),
            OrdersOp::Status(id) => format!("status({id})"),
        }
    }

    fn result_label(output: &OrdersRet) -> Option<String> {
        match output {
            OrdersRet::Accepted => None,
            OrdersRet::Status(status) => Some(format!("{status:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use threadlings_judge::lincheck::{Operation, Outcome, check, op_label, simulate};

    const BUDGET: Duration = Duration::from_secs(5);

    type Op = Operation<OrdersOp, OrdersRet>;

    fn submit(thread: usize, call: u64, ret: u64, command: Command) -> Op {
        Operation::completed(
            thread,
            call,
            ret,
            OrdersOp::Submit(command),
            OrdersRet::Accepted,
        )
    }

    fn status(thread: usize, call: u64, ret: u64, id: OrderId, seen: Option<Status>) -> Op {
        Operation::completed(
            thread,
            call,
            ret,
            OrdersOp::Status(id),
            OrdersRet::Status(seen),
        )
    }

    #[test]
    fn transitions_follow_the_state_machine() {
        let mut model = OrdersModel::default();
        for command in [
            Command::Pay(1),
            Command::Create(1),
            Command::Create(1),
            Command::Ship(1),
            Command::Pay(1),
            Command::Ship(1),
            Command::Cancel(1),
            Command::Create(2),
            Command::Cancel(2),
        ] {
            model = model.step(&OrdersOp::Submit(command)).0;
        }
        assert_eq!(model.statuses.get(&1), Some(&Status::Shipped));
        assert_eq!(model.statuses.get(&2), Some(&Status::Cancelled));
        assert_eq!((model.applied, model.rejected), (5, 4));
        assert_eq!(
            model.describe(),
            "order 1 is Shipped, order 2 is Cancelled (5 commands applied, 4 rejected)"
        );
        assert_eq!(model.step(&OrdersOp::Status(3)).1, OrdersRet::Status(None));
    }

    #[test]
    fn labels() {
        assert_eq!(
            op_label::<OrdersModel>(&submit(0, 0, 1, Command::Pay(4))),
            "submit(Pay(4))"
        );
        assert_eq!(
            op_label::<OrdersModel>(&status(0, 0, 1, 4, Some(Status::Paid))),
            "status(4) -> Some(Paid)"
        );
    }

    #[test]
    fn shipped_before_paid_is_caught() {
        // Ship arrives while the order is only created, so it must be
        // rejected; seeing Shipped before Pay was even sent is impossible.
        let history = vec![
            submit(0, 0, 1, Command::Create(7)),
            submit(0, 2, 3, Command::Ship(7)),
            status(1, 4, 5, 7, Some(Status::Shipped)),
            submit(0, 6, 7, Command::Pay(7)),
            submit(2, 0, 1, Command::Create(8)),
        ];
        let outcome = check(&OrdersModel::default(), &history, BUDGET);
        let violation = outcome.violation().expect("ship before pay");
        assert_eq!(violation.operations, vec![0, 1, 2, 3]);
        assert_eq!(
            violation.description,
            "After these 2 calls order 7 is Created (1 command applied, 1 rejected), \
             so thread 1's status(7) must return Some(Created), but it returned Some(Shipped)."
        );
    }

    #[test]
    fn status_missing_own_earlier_submit_is_caught() {
        let history = vec![
            submit(0, 0, 1, Command::Create(3)),
            status(0, 2, 3, 3, None),
            status(1, 0, 10, 3, None),
        ];
        let violation = check(&OrdersModel::default(), &history, BUDGET)
            .violation()
            .cloned()
            .expect("stale status");
        assert_eq!(violation.operations, vec![0, 1]);
        // The same status from another thread, while the create is still
        // in flight, is fine.
        let overlapping = vec![
            submit(0, 0, 10, Command::Create(3)),
            status(1, 2, 3, 3, None),
        ];
        assert!(check(&OrdersModel::default(), &overlapping, BUDGET).is_linearizable());
    }

    #[test]
    fn simulated_histories_over_many_orders_are_linearizable() {
        let mut rng = fastrand::Rng::with_seed(11);
        let inputs: Vec<OrdersOp> = (0..2000)
            .map(|_| {
                let id = rng.u64(..50);
                match rng.u8(..5) {
                    0 => OrdersOp::Submit(Command::Create(id)),
                    1 => OrdersOp::Submit(Command::Pay(id)),
                    2 => OrdersOp::Submit(Command::Ship(id)),
                    3 => OrdersOp::Submit(Command::Cancel(id)),
                    _ => OrdersOp::Status(id),
                }
            })
            .collect();
        let history = simulate(&OrdersModel::default(), &inputs, 6, &mut rng);
        assert_eq!(
            check(&OrdersModel::default(), &history, BUDGET),
            Outcome::Linearizable
        );
    }
}
