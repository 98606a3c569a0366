"""Reviewers' tools, run by hand: verify (rebuild and compare) and diff (how findings moved)."""
