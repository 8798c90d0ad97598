"""Tests that drive the app itself (Pilot, snapshots, a real terminal)."""
