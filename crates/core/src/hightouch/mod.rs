//! Hightouch (SPEC §4): the role-policy language, the setup checklist, the key check with its
//! crawl preview, and the wire types of the REST API subset the key check and the sandbox
//! workspace speak.

pub mod api;
pub mod crawl;
pub mod policy;
pub mod setup;
