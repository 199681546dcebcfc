//! PACK-SHIM: today's `Exercise` for the `worker-pool` pack folder. Every
//! line of the exercise lives in pack/worker-pool/; this file goes when the
//! pack registry is derived.

use super::{Exercise, path_literal};
use crate::engine::report::CheckId;
use std::path::Path;

#[path = "../../pack/worker-pool/judge.rs"]
mod judge;

pub(super) const EXERCISE: Exercise = Exercise {
    id: "worker-pool",
    file: "exercises/worker_pool.rs",
    starter: include_str!("../../pack/worker-pool/starter.rs"),
    reference: include_str!("../../pack/worker-pool/solution.rs"),
    checks: &[
        CheckId::Compile,
        CheckId::OwnerThread,
        CheckId::Correctness,
        CheckId::Parallelism,
        CheckId::Backpressure,
        CheckId::LostMessages,
        CheckId::LeakedWorkers,
        CheckId::Hang,
        CheckId::BusyLoop,
        CheckId::Panic,
    ],
    phases: &["single", "idle", "load"],
    glue,
    judge: judge::judge,
};

fn glue(solution: &Path) -> String {
    format!(
        "#![forbid(unsafe_code)]\n#[path = {}]\nmod solution;\nuse threadlings_harness::worker_pool as driver;\n{}",
        path_literal(solution),
        include_str!("../../pack/worker-pool/glue.rs")
    )
}
