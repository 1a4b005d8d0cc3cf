"""Deploy backends, chosen by ``c.PrimeHubModels.deploy_backend``."""

from __future__ import annotations

from typing import Any

from ...config import ConfigError
from .base import Backend


def make_backend(name: str, parent: Any) -> Backend:
    if name == "local":
        from .local import LocalBackend

        return LocalBackend(parent=parent)
    if name == "ray":
        from .ray import RayBackend

        return RayBackend(parent=parent)
    if name == "kubernetes":
        from .kubernetes import KubernetesBackend

        return KubernetesBackend(parent=parent)
    raise ConfigError(
        f"PrimeHubModels.deploy_backend: {name!r} is not available "
        "(choose 'local', 'ray' or 'kubernetes')"
    )
