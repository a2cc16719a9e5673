//! Wire types of the catalog's REST API (API-NOTES.md), shared by the clients and the sandbox:
//! one definition of each endpoint.

pub mod access_entities;
pub mod entity;
pub mod error;
pub mod search;
pub mod typedefs;
pub mod whoami;
