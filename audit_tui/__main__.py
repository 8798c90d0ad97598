from audit_tui.cli.start import run

run()
