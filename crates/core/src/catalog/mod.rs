//! Wire types of the catalog's REST API (API-NOTES.md), shared by the clients and the sandbox.

pub mod error;
pub mod typedefs;
