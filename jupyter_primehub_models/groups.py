"""Groups and their MLflow bindings: parsed, checked, and the set in force.

Groups come from, in order: ``c.PrimeHubModels.groups``, ``c.PrimeHubModels.groups_file``
(JSON or YAML, re-read when it changes), or the environment PrimeHub injects into
notebooks (``PRIMEHUB_GROUP``, ``MLFLOW_TRACKING_URI``, ``MLFLOW_UI_URL`` and the usual
``MLFLOW_*`` / ``AWS_*`` credentials).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import yaml

if TYPE_CHECKING:
    from .config import PrimeHubModels

log = logging.getLogger(__name__)

#: Variables of a notebook's environment that belong to its MLflow binding.
ENV_FALLBACK_KEYS = (
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_INSECURE_TLS",
    "MLFLOW_TRACKING_SERVER_CERT_PATH",
    "MLFLOW_TRACKING_CLIENT_CERT_PATH",
    "MLFLOW_S3_ENDPOINT_URL",
    "MLFLOW_S3_IGNORE_TLS",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_ACCESS_KEY",
)
GROUP_KEYS = frozenset({"tracking_uri", "ui_url", "env", "display_name", "hub_group"})
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_NAME = re.compile(r"TOKEN|PASSWORD|SECRET|KEY|CREDENTIAL|CONNECTION_STRING", re.I)

NOT_CONFIGURED_HINT = (
    "MLflow setting not configured: set a tracking URI for this group "
    "(c.PrimeHubModels.groups or groups_file, key 'tracking_uri'; "
    "or MLFLOW_TRACKING_URI in the environment)."
)


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names the offending key."""


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's value must never be shown."""
    return bool(SECRET_NAME.search(name))


#: What follows the userinfo of a URL: a host (a name, or an [IPv6] address) and a port.
AUTHORITY = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(:[0-9]{1,5})?$")


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user:password@, user, password)``, user and password decoded.

    Passwords are not always percent-encoded: one may hold ``/`` or ``@``. The userinfo
    ends at the first ``@`` that a real host (and port) follows, so ``http://u:pa/ss@host``
    is read as it was meant, and its password never survives in a URL we show.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url, None, None
    end = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    at = rest.find("@", 0, end)
    while at >= 0:
        authority = rest[at + 1 :].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        userinfo = rest[:at]
        if AUTHORITY.match(authority) and (":" in userinfo or "/" not in userinfo):
            user, colon, password = userinfo.partition(":")
            return (
                f"{scheme}://{rest[at + 1 :]}",
                unquote(user),
                (unquote(password) if colon else None),
            )
        at = rest.find("@", at + 1, end)
    return url, None, None


def strip_userinfo(url: str) -> str:
    """The URL without ``user:password@`` (safe to show in messages and the browser)."""
    return split_userinfo(url)[0]


@dataclass(frozen=True)
class GroupConfig:
    """One group's MLflow binding."""

    name: str
    display_name: str
    tracking_uri: str | None = None
    ui_url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    #: Why the binding cannot be used (a bad URI, …); ``None`` when it is fine.
    problem: str | None = None
    #: the JupyterHub group whose members are this group's (default: the same name)
    hub_group: str | None = None

    @property
    def members_group(self) -> str:
        return self.hub_group or self.name

    @property
    def configured(self) -> bool:
        return self.tracking_uri is not None and self.problem is None

    @property
    def host(self) -> str:
        """``host:port`` of the tracking server, without credentials."""
        return strip_userinfo(self.tracking_uri or "").partition("://")[2].split("/", 1)[0]

    def cache_key(self) -> tuple[Any, ...]:
        return (self.name, self.tracking_uri, tuple(sorted(self.env.items())))


@dataclass(frozen=True)
class GroupSet:
    """The groups in force, the default one, and the error of the last load, if any."""

    groups: Mapping[str, GroupConfig]
    default: str | None
    source: str
    error: str | None = None


def _http_url(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be a string URL, not {type(value).__name__}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{key}: must be an http(s) URL such as http://mlflow:5000")
    return value.strip().rstrip("/")


def parse_group(name: Any, raw: Any, where: str) -> GroupConfig:
    """One group entry. Errors of the entry itself become the group's ``problem``."""
    key = f"{where}[{name!r}]"
    if not isinstance(name, str) or not name.strip() or len(name) > 128:
        raise ConfigError(f"{key}: a group name must be a non-empty string of ≤ 128 characters")
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{key}: must be a mapping with keys {sorted(GROUP_KEYS)}")
    unknown = sorted(set(raw) - GROUP_KEYS)
    if unknown:
        raise ConfigError(f"{key}: unknown key {unknown[0]!r} (allowed: {sorted(GROUP_KEYS)})")
    display = raw.get("display_name") or name
    if not isinstance(display, str):
        raise ConfigError(f"{key}.display_name: must be a string")
    hub_group = raw.get("hub_group") or None
    if hub_group is not None and not isinstance(hub_group, str):
        raise ConfigError(f"{key}.hub_group: must be a JupyterHub group name (a string)")
    env_raw = raw.get("env") or {}
    if not isinstance(env_raw, Mapping):
        raise ConfigError(f"{key}.env: must be a mapping of variable names to values")
    env: dict[str, str] = {}
    for var, value in env_raw.items():
        if not isinstance(var, str) or not ENV_NAME.match(var):
            raise ConfigError(f"{key}.env: {var!r} is not a valid environment variable name")
        if not isinstance(value, (str, int, float, bool)):
            raise ConfigError(f"{key}.env.{var}: must be a string")
        env[var] = str(value)
    tracking_uri: str | None = None
    ui_url: str | None = None
    problem: str | None = None
    try:
        if raw.get("tracking_uri"):
            tracking_uri = _http_url(raw["tracking_uri"], f"{key}.tracking_uri")
        if raw.get("ui_url"):
            ui_url = _http_url(raw["ui_url"], f"{key}.ui_url")
    except ConfigError as err:
        problem = str(err)
        log.warning("PrimeHub Models: %s", problem)
    if ui_url is None and tracking_uri is not None:
        ui_url = strip_userinfo(tracking_uri)
    return GroupConfig(name, display, tracking_uri, ui_url, env, problem, hub_group)


def parse_groups(raw: Any, where: str) -> dict[str, GroupConfig]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: must be a mapping of group name to settings")
    return {name: parse_group(name, value, where) for name, value in raw.items()}


def groups_from_env(environ: Mapping[str, str]) -> dict[str, GroupConfig]:
    """The one group a PrimeHub notebook's environment describes."""
    name = environ.get("PRIMEHUB_GROUP") or "default"
    raw: dict[str, Any] = {
        "tracking_uri": environ.get("MLFLOW_TRACKING_URI") or None,
        "ui_url": environ.get("MLFLOW_UI_URL") or None,
        "env": {k: environ[k] for k in ENV_FALLBACK_KEYS if environ.get(k)},
    }
    return {name: parse_group(name, raw, "environment (PRIMEHUB_GROUP)")}


def load_groups_file(path: Path) -> dict[str, GroupConfig]:
    where = f"groups_file {str(path)!r}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{where}: cannot be read ({err.strerror or err})") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{where}: not valid JSON (line {err.lineno}: {err.msg})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise ConfigError(f"{where}: not valid YAML ({at}{problem})") from None
    return parse_groups(data, where)


class GroupSource:
    """The groups in force, re-reading ``groups_file`` when its modification time changes."""

    def __init__(self, settings: PrimeHubModels, environ: Mapping[str, str] | None = None):
        self._settings = settings
        self._environ = os.environ if environ is None else environ
        self._stamp: tuple[int, int] | None = None
        self._current: GroupSet | None = None

    def current(self) -> GroupSet:
        s = self._settings
        if s.groups:
            if self._current is None:
                self._current = self._load(
                    lambda: parse_groups(s.groups, "PrimeHubModels.groups"), "PrimeHubModels.groups"
                )
            return self._current
        if s.groups_file:
            path = Path(s.groups_file).expanduser()
            try:
                st = path.stat()
                stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if self._current is None or stamp != self._stamp:
                self._stamp = stamp
                self._current = self._load(lambda: load_groups_file(path), str(path))
            return self._current
        if self._current is None:
            self._current = self._load(lambda: groups_from_env(self._environ), "environment")
        return self._current

    def _load(self, loader: Any, source: str) -> GroupSet:
        try:
            groups = loader()
        except ConfigError as err:
            log.error("PrimeHub Models: invalid configuration: %s", err)
            previous = self._current.groups if self._current else {}
            default = self._current.default if self._current else None
            return GroupSet(previous, default, source, str(err))
        default = self._settings.default_group
        if default not in groups:
            if default:
                log.warning("PrimeHub Models: default_group %r is not a configured group", default)
            default = next(iter(groups), None)
        return GroupSet(groups, default, source)

    def get(self, name: str) -> GroupConfig | None:
        return self.current().groups.get(name)
