"""Helpers for the durability, concurrency and hostile-input tests."""
