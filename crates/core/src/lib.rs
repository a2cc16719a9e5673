//! Steward's pure core: the catalog access model, masking, asset mapping and sync planning.
//!
//! No I/O and no JavaScript here: the wasm crate and the server call into this crate and
//! own every side effect.

pub mod access;
pub mod catalog;
pub mod hightouch;
pub mod mapping;
pub mod masking;
pub mod seeded;
pub mod sync;
