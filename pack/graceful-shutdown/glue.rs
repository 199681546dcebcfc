// Binds the learner's `solution` to the driver's trait. The tool prepends
// `#![forbid(unsafe_code)]`, `mod solution;` (the learner's file) and
// `use threadlings_pack::graceful_shutdown as driver;`.

use driver as h;

fn _handle_is_shareable<T: Clone + Send + Sync + 'static>() {}
const _: fn() = _handle_is_shareable::<solution::Handle>;

fn word(status: solution::Status) -> &'static str {
    match status {
        solution::Status::Created => "created",
        solution::Status::Paid => "paid",
        solution::Status::Shipped => "shipped",
        solution::Status::Cancelled => "cancelled",
    }
}

struct Owner(solution::Orders);
struct Client(solution::Handle);

impl h::Orders for Owner {
    fn handle(&self) -> Box<dyn h::Handle> {
        let handle: solution::Handle = self.0.handle();
        Box::new(Client(handle))
    }
    fn shutdown(self: Box<Self>) -> h::Summary {
        let summary: solution::Summary = self.0.shutdown();
        let statuses: std::collections::BTreeMap<solution::OrderId, solution::Status> =
            summary.statuses;
        let applied: u64 = summary.applied;
        let rejected: u64 = summary.rejected;
        h::Summary {
            statuses: statuses.into_iter().map(|(id, s)| (id, word(s))).collect(),
            applied,
            rejected,
        }
    }
}

impl h::Handle for Client {
    fn submit(&self, cmd: h::Cmd, id: u64) -> bool {
        let command = match cmd {
            h::Cmd::Create => solution::Command::Create(id),
            h::Cmd::Pay => solution::Command::Pay(id),
            h::Cmd::Ship => solution::Command::Ship(id),
            h::Cmd::Cancel => solution::Command::Cancel(id),
        };
        let result: Result<(), solution::Stopped> = self.0.submit(command);
        match result {
            Ok(()) => true,
            Err(solution::Stopped) => false,
        }
    }
    fn status(&self, id: u64) -> Result<Option<&'static str>, h::Stopped> {
        let result: Result<Option<solution::Status>, solution::Stopped> = self.0.status(id);
        match result {
            Ok(status) => Ok(status.map(word)),
            Err(solution::Stopped) => Err(h::Stopped),
        }
    }
    fn clone_box(&self) -> Box<dyn h::Handle> {
        Box::new(Client(self.0.clone()))
    }
}

fn main() {
    h::main(|| Box::new(Owner(solution::Orders::start())))
}
