from qtx_report.cli.entry import main

main()
