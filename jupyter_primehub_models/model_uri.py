"""The one model-URI type: ``models:/<name>/<version>`` or ``models:/<name>@<alias>``.

Every part of the package that reads or writes a model URI goes through ``ModelUri``: the
deployments service, the registry, the backends, the widgets and the scripting API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidArgument

PREFIX = "models:/"
PATTERN = re.compile(
    r"^models:/(?P<name>[^/]+?)(?:/(?P<version>[1-9][0-9]{0,9})|@(?P<alias>[\w-]{1,255}))$"
)


@dataclass(frozen=True)
class ModelUri:
    """A registered model's version, pinned (``version``) or followed by alias (``alias``)."""

    name: str
    version: str | None = None
    alias: str | None = None

    def __post_init__(self) -> None:
        if (self.version is None) == (self.alias is None):
            raise ValueError("a model URI names exactly one of a version or an alias")

    @classmethod
    def parse(cls, text: str, field: str = "model_uri") -> ModelUri:
        """``models:/name/3`` or ``models:/name@champion``; ``InvalidArgument`` otherwise."""
        match = PATTERN.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            shown = text[:200] if isinstance(text, str) else type(text).__name__
            raise InvalidArgument(
                f"{field} {shown!r} is not models:/<name>/<version> or models:/<name>@<alias>",
                field=field,
            )
        return cls(match["name"], match["version"], match["alias"])

    @classmethod
    def of(cls, name: str, ref: str) -> ModelUri:
        """From a name and a reference: a version number, or ``@alias``."""
        if ref.startswith("@"):
            return cls(name, alias=ref[1:])
        return cls(name, version=ref)

    @property
    def ref(self) -> str:
        """What follows the name: ``3`` or ``@champion``."""
        return f"@{self.alias}" if self.alias is not None else str(self.version)

    @property
    def follows_alias(self) -> bool:
        return self.alias is not None

    def pinned(self, version: str | None) -> ModelUri:
        """The same model at ``version`` (what an alias resolved to); unchanged if None."""
        if version is None:
            return self
        return ModelUri(self.name, version=str(version))

    def __str__(self) -> str:
        if self.alias is not None:
            return f"{PREFIX}{self.name}@{self.alias}"
        return f"{PREFIX}{self.name}/{self.version}"


def version_uri(name: str, version: str) -> str:
    """``models:/name/version`` as text (the registry's ``model_uri`` field)."""
    return str(ModelUri(name, version=str(version)))
