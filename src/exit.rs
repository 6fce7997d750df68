//! The exit-status table lives in the nanny (both sides of the fork use it); the binary's
//! commands name it from here.

pub use nanny::exit::*;
