//! Compares an actor (fed by a channel or by a Mutex + Condvar buffer), a
//! mutex, an atomic and a sharded actor keeping one
//! shared count, as the number of client threads grows.
//!
//! Run it with optimisations, otherwise the numbers mean little:
//!
//! ```text
//! cargo run --release --example owners            # 2 000 000 increments per run
//! cargo run --release --example owners -- 500000  # choose the count
//! ```

use threadlings::course::scaling;

fn main() {
    let ops = std::env::args()
        .nth(1)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(2_000_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{ops} increments per run, {cores} CPU cores available\n");
    let rows = scaling::run(&[1, 2, 4, 8], ops);
    print!("{}", scaling::render(&rows, 50));
}
