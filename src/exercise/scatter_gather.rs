//! PACK-SHIM: today's `Exercise` for the `scatter-gather` pack
//! (pack/scatter-gather/); deleted when the packs format lands.

use super::{Exercise, path_literal};
use crate::engine::report::CheckId;
use std::path::Path;

#[path = "../../pack/scatter-gather/judge.rs"]
mod judge;

pub(super) const EXERCISE: Exercise = Exercise {
    id: "scatter-gather",
    file: "exercises/scatter_gather.rs",
    starter: include_str!("../../pack/scatter-gather/starter.rs"),
    reference: include_str!("../../pack/scatter-gather/solution.rs"),
    checks: &[
        CheckId::Compile,
        CheckId::Correctness,
        CheckId::Limit,
        CheckId::Cancellation,
        CheckId::FirstError,
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
        "#![forbid(unsafe_code)]\n#[path = {}]\nmod solution;\nuse threadlings_harness::scatter_gather as driver;\n{}",
        path_literal(solution),
        include_str!("../../pack/scatter-gather/glue.rs")
    )
}
