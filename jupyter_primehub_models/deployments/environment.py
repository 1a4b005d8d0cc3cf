"""What a serving process's environment holds, and what must never leave the server.

- A deployment's own variables may not touch the group's MLflow binding or credentials,
  nor how a process starts (``check_env``).
- The environment is the group's binding plus the deployment's variables; a serving
  process of the local backend adds only what any process needs to run (``base_env``),
  never the Jupyter server's own credentials.
- Secret values are masked in anything shown of a deployment, in every shape a log can
  hold them: as they are, URL-encoded, base64-encoded, split across lines (``Masker``).
"""

from __future__ import annotations

import base64
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, quote_plus

from ..errors import InvalidArgument
from ..groups import GroupConfig, GroupSource, is_secret_name, split_userinfo
from .record import Record

MASK = "********"

#: The group's MLflow binding and credentials: the administrator's, not a deployment's.
BINDING_PREFIXES = (
    "MLFLOW_TRACKING_", "MLFLOW_REGISTRY_", "MLFLOW_S3_", "MLFLOW_GCS_", "MLFLOW_AUTH",
    "MLFLOW_ARTIFACT", "AWS_", "AZURE_", "GOOGLE_", "GCE_", "GCS_",
)  # fmt: skip
#: How a process starts, finds code and reaches the network: not a deployment's either.
PROCESS_NAMES = frozenset({
    "PATH", "HOME", "SHELL", "BASH_ENV", "ENV", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
    "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
})  # fmt: skip
PROCESS_PREFIXES = ("LD_", "DYLD_", "PYTHON")

#: What a serving process takes from the Jupyter server's own environment: what any
#: process needs to run, and the site's network and trust settings. Nothing else.
BASE_NAMES = (
    "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "TERM",
    "VIRTUAL_ENV", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
    "no_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
)  # fmt: skip


def refusal(name: str) -> str | None:
    """Why a deployment may not set variable ``name`` (None: it may)."""
    upper = name.upper()
    if upper.startswith(BINDING_PREFIXES):
        return "it is part of the group's MLflow binding and credentials (the administrator's)"
    if upper in PROCESS_NAMES or upper.startswith(PROCESS_PREFIXES):
        return "it changes how the serving process starts, finds code or reaches the network"
    return None


def check_env(rows: Iterable[Mapping[str, str]]) -> None:
    """``InvalidArgument`` (field ``env``) for the first variable a deployment may not set."""
    for row in rows:
        why = refusal(row["name"])
        if why is not None:
            raise InvalidArgument(
                f"env: {row['name']} cannot be set by a deployment: {why}", field="env"
            )


def binding_env(group: GroupConfig | None) -> dict[str, str]:
    """The group's MLflow binding as environment variables (credentials apart from the URI)."""
    env: dict[str, str] = {}
    if group is None or not group.tracking_uri:
        return env
    env.update(group.env)
    bare, user, password = split_userinfo(group.tracking_uri)
    if user and "MLFLOW_TRACKING_USERNAME" not in env:
        env["MLFLOW_TRACKING_USERNAME"] = user
        env["MLFLOW_TRACKING_PASSWORD"] = password or ""
    env["MLFLOW_TRACKING_URI"] = bare
    env.setdefault("MLFLOW_REGISTRY_URI", bare)
    return env


def process_env(group: GroupConfig | None, record: Record) -> dict[str, str]:
    """What a deployment's serving processes are given: the group's binding, then the
    deployment's own variables (which cannot override it: ``check_env``)."""
    env = binding_env(group)
    for row in record.env:
        if refusal(row["name"]) is None:  # (a record from before the rule was kept)
            env[row["name"]] = row["value"]
    return env


def base_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """What a local serving process takes from the server's environment (``BASE_NAMES``,
    ``LC_*``), with this Python's folder first on ``PATH`` (uvicorn is found there)."""
    environ = os.environ if environ is None else environ
    env = {k: environ[k] for k in BASE_NAMES if environ.get(k)}
    env.update({k: v for k, v in environ.items() if k.startswith("LC_")})
    env["PATH"] = os.pathsep.join(
        [str(Path(sys.executable).parent), environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")]
    )
    return env


class Masker:
    """Hides secret values in text, in the shapes a log can hold them."""

    def __init__(self, values: Iterable[str]):
        forms: set[str] = set()
        for value in values:
            if len(value) >= 4:
                forms.update(_forms(value))
        # longest first, so a value's encoded form is not half-masked by a shorter one
        self._patterns = [
            re.compile(r"(?:\r?\n)?".join(re.escape(c) for c in form))
            for form in sorted(forms, key=len, reverse=True)
        ]

    def __call__(self, text: str) -> str:
        for pattern in self._patterns:
            text = pattern.sub(_masked, text)
        return text

    def lines(self, lines: Sequence[str]) -> list[str]:
        """Masks across line breaks (a value split over two lines), keeping the lines."""
        if not lines or not self._patterns:
            return list(lines)
        return self("\n".join(lines)).split("\n")


def _masked(match: re.Match[str]) -> str:
    return MASK + "\n" * match.group(0).count("\n")  # the line breaks stay where they were


def _forms(value: str) -> set[str]:
    forms = {value, quote(value, safe=""), quote_plus(value), quote(value)}
    raw = value.encode()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for offset in range(3):  # wherever the value starts in what was encoded
            encoded = encode(b"\0" * offset + raw).decode()
            first = -(-offset // 3) * 4  # the first 4-character group made of value bytes
            last = (offset + len(raw)) // 3 * 4
            core = encoded[first:last]
            if len(core) >= 8:
                forms.add(core)
    return forms


class Environments:
    """Serving environments of the groups in force, and what to mask for each deployment."""

    def __init__(self, groups: GroupSource, environ: Mapping[str, str] | None = None):
        self.groups = groups
        self._environ = os.environ if environ is None else environ

    def for_record(self, record: Record) -> dict[str, str]:
        return process_env(self.groups.get(record.grp), record)

    def secrets(self, record: Record) -> list[str]:
        """Values never to show: the group's and the deployment's secret-looking ones, and
        those of the server's own environment."""
        env = self.for_record(record)
        values = [v for k, v in env.items() if is_secret_name(k)]
        values += [v for k, v in self._environ.items() if is_secret_name(k)]
        return values

    def masker(self, record: Record) -> Masker:
        return Masker(self.secrets(record))
