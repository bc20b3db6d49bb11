//! cyzen integration API: OAuth 2.0 and static tokens, paced and paginated access to every object.
