"""``RemoteBackend``: what the cluster backends (ray, kubernetes) share.

They observe the cluster on every ``apply`` and remember what they saw (``status``), route
to the endpoint the cluster gives, read logs from it, and make every blocking client
call in a worker thread under a timeout, so the event loop never waits on the cluster.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar, TypeVar

from traitlets import Float

from ...errors import Conflict, Unavailable
from ..record import Record
from .base import Backend, Observed, Upstream
from .ownership import Found, sort_out

T = TypeVar("T")

#: Exceptions that mean a bug of ours, not a cluster that could not be asked: they are
#: logged with their traceback and the deployment says so, instead of "Deploying" forever.
OUR_BUGS = (LookupError, AttributeError, NameError, AssertionError, ArithmeticError)


class RemoteBackend(Backend):
    #: worker threads for client calls (Ray's driver wants one)
    workers: ClassVar[int] = 1
    #: what the logs come from, for messages ("the replicas", "the pods")
    log_source: ClassVar[str] = "the serving processes"

    request_timeout = Float(30.0, help="Seconds one call to the cluster may take.").tag(config=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._observed: dict[str, Observed] = {}
        #: deployment id → digest of what was last applied (unchanged: nothing to send)
        self._applied: dict[str, str] = {}
        self._executor = ThreadPoolExecutor(
            self.workers, thread_name_prefix=f"primehub-{self.name}"
        )
        self._said_not_ours: set[str] = set()

    # -- what subclasses provide -----------------------------------------------------------

    @staticmethod
    def reason(err: BaseException) -> str:
        """A safe one-line reason for a failed client call (never a header or a token)."""
        text = str(err).strip().splitlines()
        return (text[0] if text else type(err).__name__)[:500]

    def _read_logs(self, record: Record, tail: int) -> list[str]:
        """Blocking: the serving processes' last lines (runs in a worker thread)."""
        raise NotImplementedError

    def _disconnect(self) -> None:
        """Blocking: release the cluster client (the deployments keep running)."""

    def trouble(self, err: BaseException) -> Observed:
        """What a failed ``apply`` means for the deployment (default: keep trying)."""
        return Observed("Deploying", self.reason(err))

    # -- shared ----------------------------------------------------------------------------

    async def _run(self, work: Callable[[], T], within: float) -> T:
        """``work()`` in a worker thread; ``TimeoutError`` after ``within`` seconds."""
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(within):
            return await loop.run_in_executor(self._executor, work)

    def _failed(self, record: Record, err: BaseException) -> None:
        """Record why an ``apply`` (or stop) did not get through."""
        if isinstance(err, OUR_BUGS):
            self.log.error(
                "PrimeHub Models: %s backend bug while handling %s", self.name, record.id,
                exc_info=err,
            )  # fmt: skip
            seen = Observed(
                "Failed",
                f"Internal error of the {self.name} backend ({type(err).__name__}); "
                "the Jupyter server log has the details",
            )
        else:
            seen = self.trouble(err)
        self._observed[record.id] = seen

    async def _sort_out(
        self, found: list[Found], records: list[Record], what: str
    ) -> dict[str, str | None]:
        """Adoption by the ownership rule (``ownership.py``): deletes this store's objects
        that no record wants, logs once what is not ours; the adopted names → digests."""
        verdict = sort_out(found, self.store_id, records)
        for name in verdict.not_ours:
            if name not in self._said_not_ours:
                self._said_not_ours.add(name)
                self.log.info(
                    "PrimeHub Models: %s %s is not ours (another store's, or unmarked and "
                    "named by none of our records): left alone", what, name,
                )  # fmt: skip
        for name in verdict.delete:
            self.log.info("PrimeHub Models: deleting orphaned %s %s", what, name)
            try:
                await self._delete_orphan(name)
            except Exception as err:
                self.log.warning(
                    "PrimeHub Models: cannot delete %s %s: %s", what, name, self.reason(err)
                )
        return verdict.adopt

    async def _delete_orphan(self, name: str) -> None:
        """Delete an object of this store that no record wants."""
        raise NotImplementedError

    def status(self, record: Record) -> Observed:
        return self._observed.get(record.id) or Observed("Deploying")

    def forget(self, record: Record) -> None:
        self._observed.pop(record.id, None)
        self._applied.pop(record.id, None)

    async def logs(self, record: Record, tail: int) -> list[str]:
        try:
            return await self._run(lambda: self._read_logs(record, tail), self.request_timeout)
        except Exception as err:
            raise Unavailable(
                f"Cannot read the logs of {self.log_source}: {self.reason(err)}", status=502
            ) from None

    @contextlib.asynccontextmanager
    async def route(self, record: Record) -> AsyncIterator[Upstream]:
        seen = self.status(record)
        if seen.phase != "Deployed" or not seen.endpoint:
            raise Conflict(f"Deployment {record.id!r} is not serving (phase {seen.phase})")
        # one version serves, or the backend's router names it in its answer (ray)
        shares = record.shares
        yield Upstream(
            seen.endpoint.rstrip("/"), version=shares[0].version if len(shares) == 1 else None
        )

    async def close(self) -> None:
        try:
            await self._run(self._disconnect, 30)
        except Exception as err:
            self.log.warning(
                "PrimeHub Models: disconnecting the %s backend failed: %s", self.name,
                self.reason(err),
            )  # fmt: skip
        self._executor.shutdown(wait=False, cancel_futures=True)
