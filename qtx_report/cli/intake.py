"""`qtx-report intake`: file what the agencies sent into the intake folder, one line per file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from qtx_report.city.intake import Intake, intake
from qtx_report.city.receipts import INVALID, UNKNOWN_DIR, parse_time, shown_time
from qtx_report.city.roster import read_roster


def intake_command(files: list[Path], *, into: Path, roster: Path | None = None, received: str | None = None) -> int:
    """0: every file filed and passed; 1: some file has errors, cannot be read, is of no known
    agency, or the folder holds stored files its log does not know; 2 (unusable log, roster or
    path) comes from the InputError the command line turns into a message."""
    when = parse_time(received, "--received") if received is not None else None
    the_roster = read_roster(roster) if roster else None
    done = intake(files, into, roster=the_roster, received=when)
    print_intake(done, sys.stdout)
    return 1 if done.unrecorded or any(f.needs_attention for f in done.filed) else 0


def print_intake(done: Intake, stream: IO[str]) -> None:
    for f in done.filed:
        r = f.receipt
        result = f"{INVALID} {r.errors} 处" if r.state == INVALID else r.state
        if r.warnings:
            result += f"，警告 {r.warnings} 处"
        year = f"  {f.year}年度" if f.year else ""
        where = f" → {r.stored}" if f.stored else ""
        stream.write(f"{r.agency}  v{r.version}  收件时间 {shown_time(r.received)}  {result}{year}  "
                     f"← {Path(f.source).name}{where}\n")
        for text in (f.message, r.note):
            if text:
                stream.write(f"    {text}\n")
    stored = sum(f.stored for f in done.filed)
    unknown = sum(not f.known for f in done.filed)
    stream.write(f"收件 {len(done.filed)} 个文件，新存放 {stored} 个"
                 + (f"，{unknown} 个不在名单中（存放在“{UNKNOWN_DIR}”）" if unknown else "")
                 + f"；收件登记：{done.log}\n")
    if done.unrecorded:
        listed = "、".join(done.unrecorded[:20]) + (" 等" if len(done.unrecorded) > 20 else "")
        stream.write(f"注意：收件文件夹中有 {len(done.unrecorded)} 个文件收件登记表没有记录，未改动它们：{listed}。"
                     "如是上次收件中断留下的，把原文件重新收件即可补登记；否则请移出文件夹。\n")
