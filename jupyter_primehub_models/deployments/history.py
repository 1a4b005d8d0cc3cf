"""A deployment's history: every change of what serves (create, update, alias move, weight
shift, promote, rollback, stop, start), with when, who, and from → to.

Entries are stored in the record's ``history`` (JSON), at most ``KEEP`` of them; each has
a number ``n`` that a rollback names. Entries written before splits existed (a model URI
and the version it resolved to) read as one share at 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InvalidArgument
from ..membership import ACTOR
from .record import Record, Share, now_ms

KEEP = 200


def shares_json(shares: Sequence[Share]) -> list[dict[str, Any]]:
    return [s.to_json() for s in shares]


def _traffic_of(entry: dict[str, Any]) -> list[dict[str, Any]]:
    traffic = entry.get("traffic")
    if isinstance(traffic, list) and traffic:
        return traffic
    return [{"model_uri": entry.get("model_uri", ""), "weight": 100,
             "version": entry.get("version")}]  # fmt: skip


def numbered(history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every entry in the API's shape: numbered, with its action, traffic and previous."""
    out: list[dict[str, Any]] = []
    previous: list[dict[str, Any]] | None = None
    for i, entry in enumerate(history):
        traffic = _traffic_of(entry)
        shown = {
            "n": entry.get("n", i),
            "action": entry.get("action") or ("create" if i == 0 else "update"),
            "at": entry.get("at", 0),
            "by": entry.get("by"),
            "model_uri": entry.get("model_uri", ""),
            "version": entry.get("version"),
            "traffic": traffic,
            "previous": entry.get("previous") if "action" in entry else previous,
        }
        for key in ("status", "message"):
            if entry.get(key):
                shown[key] = entry[key]
        out.append(shown)
        if entry.get("status") != "failed":
            previous = traffic
    return out


def append(
    record: Record | None,
    action: str,
    shares: Sequence[Share],
    *,
    by_registry: bool = False,
    **extra: Any,
) -> list[dict[str, Any]]:
    """The record's history with one more entry (the oldest dropped past ``KEEP``), made
    by whoever is asking (``membership.ACTOR``), or by the registry itself."""
    history = list(record.history) if record is not None else []
    last_n = max((e.get("n", i) for i, e in enumerate(history)), default=-1)
    main = max(shares, key=lambda s: s.weight)
    entry = {
        "n": last_n + 1,
        "action": action,
        "at": now_ms(),
        "by": None if by_registry else ACTOR.get(),
        "model_uri": main.model_uri,
        "version": main.version,
        "traffic": shares_json(shares),
        "previous": shares_json(record.shares) if record is not None else None,
        **extra,
    }
    return [*history, entry][-KEEP:]


def rollback_target(record: Record, to: int | None) -> list[Share]:
    """What entry ``to`` served, pinned to the versions it served (default: the last entry
    before the current one that served something else)."""
    entries = [e for e in numbered(record.history) if e.get("status") != "failed"]
    current = [(s.version, s.weight) for s in record.shares]  # what serves, as versions

    def pinned(entry: dict[str, Any]) -> list[Share]:
        shares = [Share.from_json(t) for t in entry["traffic"]]
        return [Share(str(s.serving), s.weight, s.version) for s in shares]

    if to is not None:
        for entry in entries:
            if entry["n"] == to:
                return pinned(entry)
        raise InvalidArgument(f"to: no history entry {to} that served", field="to")
    for entry in reversed(entries):
        shares = pinned(entry)
        if [(s.version, s.weight) for s in shares] != current:
            return shares
    raise InvalidArgument("to: nothing earlier to roll back to", field="to")
