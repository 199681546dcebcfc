//! threadlings: a terminal tutor for the one-owner-thread concurrency pattern.
//!
//! The library is the whole tool minus its front ends: the course material
//! ([`course`]), the exercises ([`exercise`]), the checking engine
//! ([`engine`]) with its linearizability checker ([`linearizability`]),
//! exercise packs ([`pack`]), and the sandbox used for grading
//! ([`sandbox`]). The CLI in `main.rs` and the TUI in `tui` only call into
//! these.
//!
//! The TUI is the cargo feature `tui` (on by default). Everything else
//! builds without it, and without its dependencies (ratatui, crossterm,
//! notify, ...): `cargo build --no-default-features` is a `threadlings` that
//! checks, lists and grades, which is what the grading images install.

pub mod course;
pub mod engine;
pub mod exercise;
pub mod grade;
pub mod pack;
/// The linearizability checker, its own crate ([`lincheck`]) so that it
/// builds and is usable without the rest of the tool.
pub use lincheck as linearizability;

pub mod sandbox;
#[cfg(feature = "tui")]
pub mod tui;
