"""Time: rebuilds, as-of queries, exports and verification of the store."""
