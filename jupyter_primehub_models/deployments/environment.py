"""What a serving process's environment holds, and what must never leave the server.

The group's MLflow binding (tracking URI, credentials) comes first, then the deployment's
own variables. Values of secret-looking names are masked wherever they come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote, urlsplit

from ..config import GroupConfig, GroupSource, is_secret_name, strip_userinfo
from .record import Record

MASK = "********"


def process_env(group: GroupConfig | None, record: Record) -> dict[str, str]:
    """The serving process's environment: the group's MLflow binding, then the record's."""
    env: dict[str, str] = {}
    if group is not None and group.tracking_uri:
        env.update(group.env)
        parts = urlsplit(group.tracking_uri)
        if parts.username and "MLFLOW_TRACKING_USERNAME" not in env:
            env["MLFLOW_TRACKING_USERNAME"] = unquote(parts.username)
            env["MLFLOW_TRACKING_PASSWORD"] = unquote(parts.password or "")
        env["MLFLOW_TRACKING_URI"] = strip_userinfo(group.tracking_uri)
        env.setdefault("MLFLOW_REGISTRY_URI", env["MLFLOW_TRACKING_URI"])
    env.update({e["name"]: e["value"] for e in record.env})
    return env


def mask(text: str, values: Sequence[str]) -> str:
    for value in values:
        text = text.replace(value, MASK)
    return text


class Environments:
    """Serving environments of the groups in force (the reconciler's ``env_for``)."""

    def __init__(self, groups: GroupSource):
        self.groups = groups

    def for_record(self, record: Record) -> dict[str, str]:
        return process_env(self.groups.get(record.grp), record)

    def secrets(self, record: Record) -> list[str]:
        """Values that must be masked in anything shown of this deployment."""
        env = self.for_record(record)
        return [v for k, v in env.items() if is_secret_name(k) and len(v) >= 4]

    def masked(self, record: Record, text: str) -> str:
        return mask(text, self.secrets(record))
