//! Hightouch (SPEC §4): the role-policy language and the wire types of the REST API subset the
//! key check and the sandbox workspace speak.

pub mod api;
pub mod policy;
