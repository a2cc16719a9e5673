//! Sync planning (SPEC §5): the local inventory, and the pure plan of a sync run — which tags
//! to pull onto which local assets, which custom-metadata values and announcements to write.
//! The network loop that carries a plan out lives in the wasm crate.

pub mod inventory;
pub mod plan;
pub mod quality_set;
pub mod budget;
pub mod queries;
pub mod report;
pub mod retry;
pub mod setup;
pub mod preflight;
