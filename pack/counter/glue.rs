// Binds the learner's `solution` to the driver's trait. The tool prepends
// `#![forbid(unsafe_code)]`, `mod solution;` (the learner's file) and
// `use threadlings_pack::counter as driver;`.

struct Api(solution::Counter);

impl driver::Counter for Api {
    fn increment(&self) {
        self.0.increment()
    }
    fn decrement(&self) {
        self.0.decrement()
    }
    fn reset(&self) {
        self.0.reset()
    }
    fn get(&self) -> i64 {
        self.0.get()
    }
    fn shutdown(self: Box<Self>) -> i64 {
        self.0.shutdown()
    }
}

fn main() {
    driver::main(|| Box::new(Api(solution::Counter::start())))
}
