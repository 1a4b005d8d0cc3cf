"""One deployment's stored state (``Record``), and the records as last seen (``RecordCache``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model_uri import ModelUri

#: Columns holding JSON, and what each holds.
JSON_COLUMNS: dict[str, type] = {"env": list, "history": list, "runtime": dict, "traffic": list}


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Share:
    """One entry of a deployment's traffic: a model URI as given (a version, or an alias to
    follow), its weight (percent), and the version it resolved to."""

    model_uri: str
    weight: int
    version: str | None

    @property
    def uri(self) -> ModelUri:
        return ModelUri.parse(self.model_uri)

    @property
    def serving(self) -> ModelUri:
        """The URI pinned to the version it resolved to: what a backend serves."""
        return self.uri.pinned(self.version)

    def to_json(self) -> dict[str, Any]:
        return {"model_uri": self.model_uri, "weight": self.weight, "version": self.version}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Share:
        version = data.get("version")
        return cls(str(data["model_uri"]), int(data["weight"]), None if version is None
                   else str(version))  # fmt: skip


def primary(shares: list[Share]) -> Share:
    """The entry with the most traffic (the first of equals): the deployment's model_uri."""
    return max(shares, key=lambda s: s.weight)


@dataclass(frozen=True)
class Record:
    """One deployment's stored state: what is wanted (spec) and what was seen (status)."""

    id: str
    grp: str
    name: str
    model_uri: str
    model_name: str
    replicas: int
    access: str
    desired: str  # running | stopped | deleted
    phase: str
    backend: str
    created_at: int
    updated_at: int
    revision: int
    description: str = ""
    served_version: str | None = None
    env: list[dict[str, str]] = field(default_factory=list)
    message: str = ""
    endpoint: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    runtime: dict[str, Any] = field(default_factory=dict)
    #: the traffic split ([] in a row written before splits: model_uri at 100)
    traffic: list[dict[str, Any]] = field(default_factory=list)
    #: why the stored row could not be read whole (not a column): "" when it is fine
    damaged: str = ""

    @property
    def uri(self) -> ModelUri:
        """The model URI as the user gave it (a version, or an alias to follow)."""
        return ModelUri.parse(self.model_uri)

    @property
    def serving(self) -> ModelUri:
        """What to serve: the URI pinned to the version it resolved to. Every backend
        serves this, so an alias moving in MLflow never changes what runs behind our back."""
        return self.uri.pinned(self.served_version)

    @property
    def shares(self) -> list[Share]:
        """What serves and how much of the traffic each gets (always at least one)."""
        if self.traffic:
            try:
                return [Share.from_json(t) for t in self.traffic]
            except (KeyError, TypeError, ValueError):
                pass  # (a damaged split: the deployment's own URI, as before splits)
        return [Share(self.model_uri, 100, self.served_version)]

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Record:
        """A stored row; one whose JSON cannot be read is kept as ``damaged``, with empty
        values, so that it can be shown and deleted while the others work."""
        values = dict(row)
        unreadable = []
        for column, kind in JSON_COLUMNS.items():
            try:
                value = json.loads(values[column])
            except (TypeError, ValueError):
                value = None
            if not isinstance(value, kind):
                unreadable.append(column)
                value = kind()
            values[column] = value
        if unreadable:
            values["damaged"] = f"its stored {', '.join(unreadable)} cannot be read"
        return cls(**values)

    def to_row(self) -> dict[str, Any]:
        values = dict(self.__dict__)
        del values["damaged"]
        for column in JSON_COLUMNS:
            values[column] = json.dumps(values[column], ensure_ascii=False)
        return values


class RecordCache:
    """Records as last read or written in this process. The reconciler refreshes it every
    pass and the service on every write, so the scoring path needs no store read."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}

    def replace_all(self, records: Iterable[Record]) -> None:
        self._records = {r.id: r for r in records}

    def put(self, record: Record) -> None:
        self._records[record.id] = record

    def get(self, deployment_id: str) -> Record | None:
        return self._records.get(deployment_id)
