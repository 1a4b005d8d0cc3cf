"""MLflow search filters and page tokens: what the registry sends MLflow, made safe.

MLflow's filter language has string literals but no escapes; these helpers quote what
can be quoted and widen (then post-filter) what cannot, so a model name never breaks out
of its literal.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

#: Characters that cannot appear inside an MLflow filter string literal; in a LIKE
#: pattern each becomes ``_`` (any one character), the only escape MLflow offers.
UNQUOTABLE = re.compile(r"['\"\\]")
RUN_ID = re.compile(r"[0-9a-zA-Z_-]{1,64}")


def quote_literal(text: str) -> str | None:
    """``text`` as an MLflow filter string literal, or None if no quoting can hold it."""
    if "\\" in text:
        return None
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None


def name_filter(name: str) -> tuple[str, bool]:
    """A filter selecting model ``name``; False when it may select more (then post-filter)."""
    literal = quote_literal(name)
    if literal is not None:
        return f"name = {literal}", True
    return f"name LIKE '{UNQUOTABLE.sub('_', name)}'", False


def search_filter(text: str) -> str:
    """A case-insensitive "name contains text" filter; quotes cannot break out of it."""
    return f"name ILIKE '%{UNQUOTABLE.sub('_', text)}%'"


def run_ids_filter(run_ids: list[str], attribute: str = "attributes.run_id") -> str | None:
    """``<attribute> IN ('…', …)`` of the run ids that are well formed (None: none are)."""
    ids = [r for r in run_ids if RUN_ID.fullmatch(r)]
    if not ids:
        return None
    return f"{attribute} IN ({', '.join(repr(r) for r in ids)})"


def plausible_token(token: str) -> bool:
    """Refuse tokens MLflow's SQL store crashes on (HTTP 500): non-ASCII text, base64 of
    JSON that is not an object, or an offset that is not a small whole number."""
    if len(token) > 1024 or not token.isascii() or not token.isprintable():
        return False
    try:
        decoded = json.loads(base64.b64decode(token, validate=True))
    except (ValueError, binascii.Error):
        return True  # not MLflow's SQL-store shape: MLflow itself answers
    if not isinstance(decoded, dict):
        return False
    offset = decoded.get("offset", 0)
    return isinstance(offset, int) and 0 <= offset < 2**31
