//! Steward's WebAssembly boundary: converts between JS values and `steward-core` types and does
//! the network I/O (through `fetch`). No business rule lives here.

pub mod access;
mod access_batch;
pub mod catalog_client;
pub mod error;
pub mod hightouch;
pub mod http;
pub mod masking;
pub mod preflight;
pub mod sync;

pub use catalog_client::CatalogClient;
pub use error::StewardError;
pub use hightouch::{HightouchClient, HightouchPolicy};
