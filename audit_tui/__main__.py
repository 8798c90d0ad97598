from audit_tui.cli.main import main

main()
