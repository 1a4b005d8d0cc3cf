"""Who sees which group. Under JupyterHub a user sees the configured groups whose hub
group they are in (a group's name, or its ``hub_group`` key) and, on their own server,
the group PrimeHub named at spawn (``$GROUP_NAME``); any other group does not exist for
them (``NOT_FOUND``, on every route). Outside a hub every configured group is everyone's.

The groups in force for the current request or call are a context variable (``VIEWER``)
that the hosts set (the handlers' ``prepare``, the kernel's calls) and the registry's
``group()`` checks: one gate that every route, widget and ``pm.*`` call goes through.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import getpass
import os
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import aiohttp

from .errors import Unavailable

#: The hub groups of whoever is asking; None: not restricted (outside a hub).
VIEWER: ContextVar[frozenset[str] | None] = ContextVar("primehub_models_viewer", default=None)
#: Who is asking (a Jupyter or hub user name), for a deployment's history; None: nobody
#: known (the alias follower, acting for the registry).
ACTOR: ContextVar[str | None] = ContextVar("primehub_models_actor", default=None)
REFRESH = 60.0  # seconds a user's groups read from the hub API are reused


@contextlib.contextmanager
def viewing(groups: frozenset[str] | None, actor: str | None = None) -> Iterator[None]:
    """Calls within see what ``groups`` may see (None: everything), made by ``actor``."""
    token, who = VIEWER.set(groups), ACTOR.set(actor)
    try:
        yield
    finally:
        VIEWER.reset(token)
        ACTOR.reset(who)


@functools.cache
def _owner() -> str:
    """The server's owner: the hub user it runs for, else its OS user (read once)."""
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def user_name(user: Any) -> str | None:
    """A Jupyter (or hub) user's name, as the identity provider gives it. A request made
    with the server's token is Jupyter's anonymous user (a new random one per request):
    that is the server's owner, named as the kernels name them."""
    if isinstance(user, str):
        return user or None
    if isinstance(user, Mapping):
        return user.get("name") or None
    if str(getattr(user, "name", "")).startswith("Anonymous "):
        return _owner()
    return getattr(user, "username", None) or getattr(user, "name", None) or None


def may_see(members_group: str) -> bool:
    """Whether the current viewer is in the hub group ``members_group``."""
    allowed = VIEWER.get()
    return allowed is None or members_group in allowed


class Membership:
    """Reads a user's hub groups (``c.PrimeHubModels.membership``)."""

    def __init__(self, mode: str, environ: Mapping[str, str], timeout: float = 10.0):
        self.enabled = mode == "hub" or (
            mode == "auto" and bool(environ.get("JUPYTERHUB_API_TOKEN"))
        )
        self.api_url = (environ.get("JUPYTERHUB_API_URL") or "").rstrip("/")
        self.token = environ.get("JUPYTERHUB_API_TOKEN") or ""
        #: this server's owner (a user server) and the group PrimeHub spawned it for
        self.owner = environ.get("JUPYTERHUB_USER") or None
        self.spawn_group = environ.get("GROUP_NAME") or None
        self.timeout = timeout
        self._owner_groups: tuple[float, frozenset[str]] | None = None
        self._lock = asyncio.Lock()

    async def groups_of(self, user: Any) -> frozenset[str] | None:
        """The hub groups of ``user`` (a jupyter_server ``User``, or None for nobody);
        None when membership is off."""
        if not self.enabled:
            return None
        if user is None:
            return frozenset()
        hub_user = getattr(user, "hub_user", None)
        name = getattr(user, "username", None)
        if isinstance(hub_user, Mapping) and isinstance(hub_user.get("groups"), list):
            groups = frozenset(str(g) for g in hub_user["groups"])
        elif self.owner is not None and name == self.owner:
            groups = await self.owner_groups()
        else:
            return frozenset()  # a user the hub did not describe sees nothing
        if self.spawn_group and self.owner is not None and name == self.owner:
            groups |= {self.spawn_group}
        return groups

    async def owner_groups(self) -> frozenset[str]:
        """This server's owner's groups (``GET $JUPYTERHUB_API_URL/user`` with the server's
        own token; what a kernel's calls see), read at most every ``REFRESH`` seconds."""
        if not self.enabled:
            raise RuntimeError("membership is off")
        async with self._lock:
            if self._owner_groups and time.monotonic() - self._owner_groups[0] < REFRESH:
                return self._owner_groups[1]
            model = await self._hub_user()
            groups = frozenset(str(g) for g in model.get("groups") or ())
            if self.spawn_group:
                groups |= {self.spawn_group}
            self._owner_groups = (time.monotonic(), groups)
            return groups

    async def _hub_user(self) -> dict[str, Any]:
        if not self.api_url or not self.token:
            raise Unavailable("JupyterHub membership: $JUPYTERHUB_API_URL is not set", status=503)
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout, trust_env=False) as session,
                session.get(
                    f"{self.api_url}/user", headers={"Authorization": f"token {self.token}"}
                ) as r,
            ):
                if r.status != 200:
                    raise Unavailable(
                        f"JupyterHub membership: the hub answered {r.status} for the user",
                        status=503,
                    )
                return dict(await r.json())
        except (aiohttp.ClientError, TimeoutError) as err:
            raise Unavailable(
                f"JupyterHub membership: the hub cannot be reached ({type(err).__name__})",
                status=503,
            ) from None
