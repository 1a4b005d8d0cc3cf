"""Which objects on a shared cluster are this store's: the adoption rule of every backend.

Each store has an id (made when it was created); everything a backend creates carries it
(a Serve application's deployment config, a Kubernetes label ``primehub-models/store``,
a local serving process's command line) with the digest of the spec it was made from.
At adoption:

- an object marked with this store's id is ours: kept when a record wants it (left
  running as it is when its digest matches), deleted when none does;
- an object without a mark (made by the first release) is ours when one of our records
  names it, and left alone otherwise: another store's records may name it;
- an object marked with another store's id is never touched.

What is left alone is logged once per object, as "not ours".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..record import Record

STORE_LABEL = "primehub-models/store"
DIGEST_ANNOTATION = "primehub-models/spec-digest"


@dataclass(frozen=True)
class Found:
    """An object a backend found under its prefix or label."""

    name: str
    #: the store id it is marked with (None: made before marks existed)
    store: str | None = None
    #: the digest of the spec it was made from (None: unknown)
    digest: str | None = None


@dataclass
class Verdict:
    #: ours and wanted: name → its digest (None: unknown, apply again)
    adopt: dict[str, str | None] = field(default_factory=dict)
    #: ours and wanted by no record
    delete: list[str] = field(default_factory=list)
    #: another store's, or unmarked and named by none of our records
    not_ours: list[str] = field(default_factory=list)


def sort_out(found: Iterable[Found], store_id: str, records: Iterable[Record]) -> Verdict:
    records = list(records)
    wanted = {r.id for r in records if r.desired != "deleted"}
    named = {r.id for r in records}
    verdict = Verdict()
    for item in found:
        if item.store == store_id or (item.store is None and item.name in named):
            if item.name in wanted:
                verdict.adopt[item.name] = item.digest
            else:
                verdict.delete.append(item.name)
        else:
            verdict.not_ours.append(item.name)
    return verdict
