"""Concurrent MLflow calls: the first failure cancels the rest, nothing is left unawaited."""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import NotFound
from ..mlflow_client import MlflowRestClient


async def gather_all(*calls: Any) -> list[Any]:
    """Like ``gather``, but the first failure cancels the others."""
    tasks = [asyncio.ensure_future(c) for c in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        cancel(*tasks)
        raise


def cancel(*futures: asyncio.Future[Any]) -> None:
    for f in futures:
        if not f.done():
            f.cancel()
        elif not f.cancelled():
            f.exception()  # retrieved: no "exception was never retrieved" warning


async def optional(
    client: MlflowRestClient, endpoint: str, params: dict[str, Any] | None, needed: str | None
) -> dict[str, Any] | None:
    """A call whose object may be absent or gone (a deleted run): None, not an error."""
    if not needed:
        return None
    try:
        return await client.get(endpoint, params)
    except NotFound:
        return None
