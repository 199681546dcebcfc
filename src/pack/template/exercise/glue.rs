// Binds the learner's `solution` to the driver's trait. The tool prepends
// `#![forbid(unsafe_code)]`, `mod solution;` (the learner's file) and
// `use threadlings_pack::{{module}} as driver;`.

struct Api(solution::Tally);

impl driver::Tally for Api {
    fn add(&self, n: u64) {
        self.0.add(n)
    }
    fn total(&self) -> u64 {
        self.0.total()
    }
    fn shutdown(self: Box<Self>) -> u64 {
        self.0.shutdown()
    }
}

fn main() {
    driver::main(|| Box::new(Api(solution::Tally::start())))
}
