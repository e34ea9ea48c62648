from qtx_report.cli.app import main

main()
