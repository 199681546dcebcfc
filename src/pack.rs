//! Exercise packs (see docs/packs.md).

pub mod scaffold;
