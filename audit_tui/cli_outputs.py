"""CLI commands for the quality lead's outputs (report, summary, export, import)."""
