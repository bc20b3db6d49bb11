//! JavaScript bindings of the cyzen client.
