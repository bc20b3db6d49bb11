//! SenseLink Open Platform API: signing, request building and response decoding.

pub mod sign;
