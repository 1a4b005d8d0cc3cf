"""The one interface every deploy backend implements (local processes, Ray Serve, KServe)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from traitlets.config import LoggingConfigurable

from ..store import Record

PHASES = ("Deploying", "Deployed", "Failed", "Stopping", "Stopped")


@dataclass(frozen=True)
class Observed:
    """What a backend sees of one deployment right now."""

    phase: str
    message: str = ""
    endpoint: str | None = None
    #: The backend's own bookkeeping, persisted in the store so that a restarted
    #: Jupyter server can adopt what still runs (pids and ports, app names, …).
    runtime: Mapping[str, Any] = field(default_factory=dict)
    #: A model URI that was tried and failed while the previous one kept serving.
    failed_update: str | None = None


class Backend(LoggingConfigurable):
    """Realizes deployments' desired state. The reconciler is its only caller."""

    name: ClassVar[str]

    async def adopt(self, records: list[Record]) -> None:
        """On start: take over what still runs for these records; clean up what does not."""
        raise NotImplementedError

    async def apply(self, record: Record, env: Mapping[str, str]) -> None:
        """Converge towards the record's spec (start, update, scale). Returns quickly."""
        raise NotImplementedError

    async def stop(self, record: Record) -> None:
        """Stop serving; the deployment may start again."""
        raise NotImplementedError

    async def delete(self, record: Record) -> None:
        """Stop serving and forget everything of it."""
        raise NotImplementedError

    def status(self, record: Record) -> Observed:
        """The deployment's actual state, from the backend's own knowledge."""
        raise NotImplementedError

    async def logs(self, record: Record, tail: int) -> list[str]:
        """The last ``tail`` lines of the serving processes' output."""
        raise NotImplementedError

    def route(self, record: Record) -> Any:
        """``async with backend.route(record) as base_url``: where one scoring request goes.

        Requests in flight keep their upstream alive: a version swap drains them before
        stopping the old servers. Raises ``Conflict`` (409) when nothing is serving.
        """
        raise NotImplementedError

    async def close(self) -> None:
        """Release clients; serving processes keep running (they are adopted on restart)."""
