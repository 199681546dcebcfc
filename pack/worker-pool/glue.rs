// Binds the learner's `solution` to the driver's trait. The tool prepends
// `#![forbid(unsafe_code)]`, `mod solution;` (the learner's file) and
// `use threadlings_pack::worker_pool as driver;`. An error in here means a
// signature in the learner's file differs from the exercise's API.

fn _pool_is_shareable<T: Send + Sync + 'static>() {}
const _: fn() = _pool_is_shareable::<solution::Pool>;
fn _ticket_is_sendable<T: Send + 'static>() {}
const _: fn() = _ticket_is_sendable::<solution::Ticket>;
fn _plain_value<T: std::fmt::Debug + Clone + Copy + PartialEq + Eq>() {}
const _: fn() = _plain_value::<solution::Full>;
const _: fn() = _plain_value::<solution::JobPanicked>;
fn _stats_value<T: std::fmt::Debug + Clone + Copy + PartialEq + Eq + Default>() {}
const _: fn() = _stats_value::<solution::PoolStats>;

struct Api(solution::Pool);
struct Receipt(solution::Ticket);

impl driver::Pool for Api {
    fn submit(&self, job: driver::Job) -> Box<dyn driver::Ticket> {
        let job: solution::Job = job;
        let ticket: solution::Ticket = self.0.submit(job);
        Box::new(Receipt(ticket))
    }
    fn try_submit(&self, job: driver::Job) -> Result<Box<dyn driver::Ticket>, driver::Full> {
        let job: solution::Job = job;
        let result: Result<solution::Ticket, solution::Full> = self.0.try_submit(job);
        match result {
            Ok(ticket) => Ok(Box::new(Receipt(ticket))),
            Err(solution::Full) => Err(driver::Full),
        }
    }
    fn shutdown(self: Box<Self>) -> driver::Stats {
        let stats: solution::PoolStats = self.0.shutdown();
        let solution::PoolStats {
            completed,
            panicked,
        } = stats;
        let (completed, panicked): (u64, u64) = (completed, panicked);
        driver::Stats {
            completed,
            panicked,
        }
    }
}

impl driver::Ticket for Receipt {
    fn wait(self: Box<Self>) -> Result<u64, driver::JobPanicked> {
        let result: Result<u64, solution::JobPanicked> = self.0.wait();
        match result {
            Ok(value) => Ok(value),
            Err(solution::JobPanicked) => Err(driver::JobPanicked),
        }
    }
}

fn main() {
    driver::main(|workers, queue| {
        let pool: solution::Pool = solution::Pool::start(workers, queue);
        Box::new(Api(pool))
    })
}
