"""Configuration: the ``PrimeHubModels`` traitlets and the groups they define.

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
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from traitlets import Dict, Enum, Float, Int, TraitError, Type, Unicode, default, validate
from traitlets.config import Configurable

from .deployments.backends import BACKENDS

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


class PrimeHubModels(Configurable):
    """Settings of the PrimeHub Models extension (``c.PrimeHubModels.*``)."""

    groups = Dict(
        default_value={},
        help="""Groups and their MLflow bindings:
        {name: {"tracking_uri", "ui_url", "env", "display_name"}}.""",
    ).tag(config=True)

    groups_file = Unicode(
        None,
        allow_none=True,
        help="JSON or YAML file holding the same mapping as `groups`; re-read when it changes.",
    ).tag(config=True)

    default_group = Unicode(
        None, allow_none=True, help="The group the UI opens with (default: the first one)."
    ).tag(config=True)

    mlflow_timeout = Float(
        10.0, help="Seconds any one request to MLflow may take, connection included."
    ).tag(config=True)

    deploy_backend = Enum(
        list(BACKENDS), "local", help="Where deployments run: 'local', 'ray' or 'kubernetes'."
    ).tag(config=True)

    backend_class = Type(
        klass="jupyter_primehub_models.deployments.backends.base.Backend",
        help="""The deploy backend's class (default: the one deploy_backend names); any
        subclass of jupyter_primehub_models.deployments.backends.base.Backend.""",
    ).tag(config=True)

    state_dir = Unicode(
        help="Where the deployments store lives (default: primehub_models in the Jupyter data dir)."
    ).tag(config=True)

    db_url = Unicode(
        help="""The deployments store, a SQLAlchemy URL: sqlite:///<state_dir>/deployments.sqlite
        by default (one server); postgresql+psycopg://user:password@host/db for a team (every
        server, kernel and the hub service of the group pointed at the same one)."""
    ).tag(config=True)

    db_kwargs = Dict(
        default_value={}, help="Extra keyword arguments of SQLAlchemy's create_engine."
    ).tag(config=True)

    membership = Enum(
        ["auto", "hub", "none"],
        "auto",
        help="""Who sees which group. 'hub': a user sees only the configured groups whose
        JupyterHub group (the group's name, or its hub_group key) they are in, plus the
        group PrimeHub names at spawn ($GROUP_NAME); any other answers NOT_FOUND. 'none':
        every configured group is everyone's. 'auto': 'hub' under JupyterHub
        ($JUPYTERHUB_API_TOKEN set), else 'none'.""",
    ).tag(config=True)

    team_service_url = Unicode(
        "",
        help="""Team mode: the URL prefix of the group's hub service (e.g.
        /services/primehub-models/), which drives the deployments. This server then never
        drives the backend itself (its deployments are the service's, sharing db_url) and
        shows the service's stable scoring endpoint.""",
    ).tag(config=True)

    lease_ttl = Float(
        15.0,
        help="""Seconds the reconciler lease lasts: the one process sharing the store that
        drives the backend renews it every third of this; when it dies, another takes over
        within this time.""",
    ).tag(config=True)

    invocation_max_bytes = Int(
        20 * 1024 * 1024, help="Largest scoring request the proxy accepts (bytes)."
    ).tag(config=True)

    json_max_bytes = Int(
        1024 * 1024, help="Largest JSON request body of the other routes (bytes)."
    ).tag(config=True)

    max_deployments = Int(100, help="Live deployments a group may have.").tag(config=True)

    max_replicas = Int(16, help="Replicas one deployment may ask for.").tag(config=True)

    alias_poll_interval = Float(
        30.0,
        help="""Seconds between looks at the aliases deployments follow (one
        registered-models/get per followed model, however many deployments follow it): an
        alias moved outside this extension (MLflow UI, CI) rolls its deployments over within
        this time. An alias moved through this extension rolls them over at once.""",
    ).tag(config=True)
    max_inflight = Int(
        64,
        help="Scoring requests in flight per deployment; more wait (up to 30 s, then 503), "
        "so one slow deployment cannot hold the proxy's connections against the others.",
    ).tag(config=True)

    @default("state_dir")
    def _default_state_dir(self) -> str:
        from jupyter_core.paths import jupyter_data_dir

        return str(Path(jupyter_data_dir()) / "primehub_models")

    @default("db_url")
    def _default_db_url(self) -> str:
        return f"sqlite:///{Path(self.state_dir) / 'deployments.sqlite'}"

    @validate("db_url")
    def _valid_db_url(self, proposal: Any) -> str:
        from .deployments.store.engine import parse_url

        try:
            parse_url(proposal["value"])
        except ValueError as err:
            raise TraitError(f"PrimeHubModels.db_url: {err}") from None
        return str(proposal["value"])

    @validate("lease_ttl")
    def _valid_lease_ttl(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not 3 <= value <= 3600:
            raise TraitError("PrimeHubModels.lease_ttl: must be between 3 and 3600 seconds")
        return value

    @default("backend_class")
    def _default_backend_class(self) -> str:
        return BACKENDS[self.deploy_backend]

    @validate("mlflow_timeout")
    def _valid_timeout(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not 0 < value <= 600:
            raise TraitError("PrimeHubModels.mlflow_timeout: must be between 0 and 600 seconds")
        return value


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


def load_jupyter_config() -> Any:
    """The ``jupyter_server_config`` files a Jupyter server would read, merged.

    Kernels (widgets, the scripting API) use it to see the same ``c.PrimeHubModels`` and
    ``c.LocalBackend`` settings — groups and the deployments store — as the server.
    """
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

    merged = Config()
    for directory in reversed(jupyter_config_path()):  # lowest precedence first
        base = Path(directory)
        for name in ("jupyter_config", "jupyter_server_config"):
            for suffix, loader in ((".json", JSONFileConfigLoader), (".py", PyFileConfigLoader)):
                path = base / f"{name}{suffix}"
                if path.is_file():
                    try:
                        merged.merge(loader(path.name, str(base)).load_config())
                    except Exception as err:  # a broken user file must not break the kernel
                        log.warning("PrimeHub Models: cannot read %s: %s", path, err)
    return merged
