"""The console script: starts the command line, so that Ctrl-C while the libraries are still
loading ends as quietly as Ctrl-C later does."""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from qtx_report.cli.app import main as run_app

        run_app()
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        sys.exit(130)
