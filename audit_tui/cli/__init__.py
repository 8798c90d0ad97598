"""The `audit-tui` command line: `main` holds the command group, each other module a family of commands."""
