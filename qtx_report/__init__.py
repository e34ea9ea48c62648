"""qtx-report: the annual government information disclosure report, checked."""
