"""Authorizers for tests: jupyter_server allows ``is_authorized`` to be a coroutine."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.authorizer import Authorizer


class AsyncDenyScoring(Authorizer):
    """Allows everything but scoring, and answers asynchronously."""

    async def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return type(handler).__name__ != "InvocationsHandler"
