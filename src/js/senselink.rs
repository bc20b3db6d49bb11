//! JavaScript bindings of the SenseLink client.
