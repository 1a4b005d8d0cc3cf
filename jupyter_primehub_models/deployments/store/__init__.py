"""The deployments store (``store.py``): its tables (``schema.py``), versioned migrations
(``migrations.py``), the database's differences (``engine.py``) and the reconciler lease
(``lease.py``)."""

from .migrations import MIGRATIONS, SCHEMA, StoreInfo
from .store import Store

__all__ = ["MIGRATIONS", "SCHEMA", "Store", "StoreInfo"]
