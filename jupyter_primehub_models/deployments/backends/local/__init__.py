"""The ``local`` backend: ``mlflow models serve`` processes on loopback, supervised."""

from __future__ import annotations

from .backend import LocalBackend

__all__ = ["LocalBackend"]
