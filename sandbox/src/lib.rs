//! `snapbi-sandbox`: a SNAP provider simulator on loopback, interpreting the same specs as the client.

pub mod notify;
