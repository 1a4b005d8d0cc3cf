"""The one interface every deploy backend implements (local processes, Ray Serve, KServe).

The reconciler is a backend's only caller for what runs (``adopt``, ``apply``, ``stop``,
``delete``, ``status``, and ``changed`` to wake it); the scoring proxy asks it where one
request goes (``route``) and the logs handler for output (``logs``). ``remote.py`` holds
what the cluster backends share.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from traitlets.config import LoggingConfigurable

from ...errors import InvalidArgument
from ..record import Record

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


@dataclass(frozen=True)
class Upstream:
    """Where one scoring request goes: a base URL, over a Unix socket when one is named."""

    url: str
    unix_socket: str | None = None
    #: the version this upstream serves (the answer's X-Model-Version), when known
    version: str | None = None


class Backend(LoggingConfigurable):
    """Realizes deployments' desired state."""

    #: the short name (``c.PrimeHubModels.deploy_backend``) and each record's ``backend``
    name: ClassVar[str]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        #: set when the backend sees a change the reconciler should act on promptly
        #: (a process became ready or died); the reconciler clears it
        self.changed = asyncio.Event()
        #: the id of the store whose records this backend realizes (set before ``adopt``):
        #: the ownership mark on everything it creates
        self.store_id = ""

    def check_traffic(self, entries: int) -> None:
        """Refuse (``InvalidArgument``, field ``traffic``) a split of ``entries`` model URIs
        this backend cannot serve; every backend here serves up to four by default."""
        if entries > 4:
            raise InvalidArgument("traffic: at most 4 entries", field="traffic")

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
        """The last ``tail`` lines of the serving processes' output; ``Unavailable`` (502)
        when they cannot be read."""
        raise NotImplementedError

    def route(self, record: Record) -> contextlib.AbstractAsyncContextManager[Upstream]:
        """``async with backend.route(record) as upstream``: where one scoring request goes.

        Requests in flight keep their upstream alive: a version swap drains them before
        stopping the old servers. Raises ``Conflict`` (409) when nothing is serving.
        """
        raise NotImplementedError

    async def note(self, record: Record, text: str) -> None:
        """Keep ``text`` (an error's stack trace, why something stopped) with the
        deployment's output where its group reads it; by default the server's log."""
        self.log.info("PrimeHub Models: deployment %s: %s", record.id, text)

    async def release(self) -> None:
        """Stop driving what runs (another process holds the store's lease now): it keeps
        serving, and whoever leads adopts it. By default, as ``close``."""
        await self.close()

    async def close(self) -> None:
        """Release clients; serving processes keep running (they are adopted on restart)."""
