"""The registry half: each group's MLflow Model Registry, read through its REST API.

``service`` (RegistryService), ``filters`` (MLflow filter strings, page tokens),
``mapping`` (MLflow JSON → the API's objects), ``runs`` (run data and lineage queries),
``calls`` (concurrent calls).
"""

from __future__ import annotations

from .service import RegistryService, lab_relative

__all__ = ["RegistryService", "lab_relative"]
