"""What the database keeps as JSON text: findings with their typed places, review decisions and
rosters, each read back equal to what was written."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from qtx_report.city.reviews import Review
from qtx_report.city.roster import Agency, Roster, build_roster
from qtx_report.model import places
from qtx_report.model.findings import Finding

_PLACES = {cls.__name__: cls for cls in (places.Worksheet, places.SheetCell, places.SheetRow, places.TableCell,
                                         places.PageLine, places.TextLine)}


def findings_json(findings: tuple[Finding, ...]) -> str:
    return json.dumps([_finding(f) for f in findings], ensure_ascii=False)


def _finding(f: Finding) -> dict[str, Any]:
    data = {field.name: getattr(f, field.name) for field in fields(f)}
    if f.place is not None:
        data["place"] = {"type": type(f.place).__name__,
                         **{field.name: getattr(f.place, field.name) for field in fields(f.place)}}
    return data


def findings_of(text: str) -> tuple[Finding, ...]:
    return tuple(_finding_of(data) for data in json.loads(text))


def _finding_of(data: dict[str, Any]) -> Finding:
    place = data.pop("place")
    if place is not None:
        place = _PLACES[place.pop("type")](**place)
    key = data.pop("key")
    return Finding(**data, place=place, key=tuple(key) if key is not None else None)


def review_json(review: Review) -> str:
    return json.dumps(asdict(review), ensure_ascii=False)


def review_of(text: str) -> Review:
    return Review(**json.loads(text))


def roster_json(roster: Roster) -> str:
    return json.dumps([{"name": a.name, "group": a.group, "aliases": list(a.aliases), "parent": a.parent}
                       for a in roster.agencies], ensure_ascii=False)


def roster_of(text: str, source: str) -> Roster:
    agencies = [Agency(a["name"], a["group"], tuple(a["aliases"]), a["parent"]) for a in json.loads(text)]
    return build_roster(agencies, source)
