from audit_tui.cli import main

main()
