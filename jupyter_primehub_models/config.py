"""Configuration: the ``PrimeHubModels`` traitlets (the groups they define are read by
``groups.py``), and the Jupyter config files a kernel reads to see the server's settings.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from traitlets import Dict, Enum, Float, Int, TraitError, Type, Unicode, default, validate
from traitlets.config import Configurable

from .deployments.backends import BACKENDS

log = logging.getLogger(__name__)


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
