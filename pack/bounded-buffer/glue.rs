// Binds the learner's `Buffer` to the driver's trait. The tool prepends
// `#![forbid(unsafe_code)]`, `mod solution;` (the learner's file) and
// `use ... as driver;`. An error below means a signature in the learner's
// file differs from the exercise's API.

fn _buffer_is_shareable<T: Sync>() {}
const _: fn() = _buffer_is_shareable::<solution::Buffer>;

struct Api(solution::Buffer);

impl driver::Buffer for Api {
    fn push(&self, value: u64) -> Result<(), driver::Closed> {
        let result: Result<(), solution::Closed> = self.0.push(value);
        result.map_err(|solution::Closed| driver::Closed)
    }
    fn pop(&self) -> Result<u64, driver::Closed> {
        let result: Result<u64, solution::Closed> = self.0.pop();
        result.map_err(|solution::Closed| driver::Closed)
    }
    fn try_push(&self, value: u64) -> Result<(), driver::TryPush> {
        let result: Result<(), solution::TryPushError> = self.0.try_push(value);
        result.map_err(|e| match e {
            solution::TryPushError::Full(v) => driver::TryPush::Full(v),
            solution::TryPushError::Closed(v) => driver::TryPush::Closed(v),
        })
    }
    fn try_pop(&self) -> Result<u64, driver::TryPop> {
        let result: Result<u64, solution::TryPopError> = self.0.try_pop();
        result.map_err(|e| match e {
            solution::TryPopError::Empty => driver::TryPop::Empty,
            solution::TryPopError::Closed => driver::TryPop::Closed,
        })
    }
    fn close(&self) {
        self.0.close()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

fn main() {
    driver::main(|capacity| {
        let buffer: solution::Buffer = solution::Buffer::new(capacity);
        Box::new(Api(buffer))
    })
}
