//! The catalog's access model (SPEC §2): roles, connection admins, personas, purposes and the
//! four policy kinds, evaluated locally with explained decisions.
