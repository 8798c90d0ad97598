"""The Textual app: thin screens and widgets over audit_tui.core."""
