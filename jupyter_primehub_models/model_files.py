"""What a version's ``MLmodel`` file says: its signature, flavors and an input example.

The input example is a ready request body for ``…/invocations``: the one MLflow saved
beside the model (``serving_input_example.json``), or else one row built from the
signature so "Try it" always has something sensible to send.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import yaml

from .mlflow_client import MlflowRestClient
from .models import SchemaField, VersionSignature

MLMODEL_LIMIT = 1_000_000
EXAMPLE_LIMIT = 256_000

#: A placeholder value per MLflow column type, for an example built from a signature.
PLACEHOLDERS: dict[str, Any] = {
    "double": 0.0,
    "float": 0.0,
    "long": 0,
    "integer": 0,
    "boolean": False,
    "string": "",
    "binary": "",
    "datetime": "1970-01-01T00:00:00",
}

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _spec_list(raw: Any) -> list[dict[str, Any]] | None:
    """MLmodel stores each schema as a JSON string (older files: as YAML data)."""
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    return [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else None


def _type_of(spec: Mapping[str, Any]) -> str:
    kind = str(spec.get("type", "unknown"))
    if kind == "tensor":
        tensor = spec.get("tensor-spec") or {}
        shape = ", ".join(str(n) for n in tensor.get("shape") or ())
        return f"tensor {tensor.get('dtype', '?')} ({shape})"
    if kind == "array" and isinstance(spec.get("items"), Mapping):
        return f"array<{_type_of(spec['items'])}>"
    if kind == "object":
        return "object"
    return kind


def _fields(raw: Any) -> list[SchemaField] | None:
    specs = _spec_list(raw)
    if specs is None:
        return None
    return [
        SchemaField(
            name=None if spec.get("name") is None else str(spec["name"]),
            type=_type_of(spec),
            required=bool(spec.get("required", spec.get("optional") is not True)),
            default=None if spec.get("default") is None else json.dumps(spec["default"]),
        )
        for spec in specs
    ]


def example_from_signature(inputs: list[SchemaField] | None) -> Any | None:
    """One placeholder row in ``dataframe_split`` form, for column-based signatures."""
    if not inputs or any(f.type.startswith("tensor") for f in inputs):
        return None
    if all(f.name for f in inputs):
        columns = [f.name for f in inputs]
        row = [PLACEHOLDERS.get(f.type) for f in inputs]
        return {"dataframe_split": {"columns": columns, "data": [row]}}
    return {"inputs": [[PLACEHOLDERS.get(f.type) for f in inputs]]}


def parse_mlmodel(raw: bytes) -> dict[str, Any]:
    try:
        data = yaml.load(raw, Loader=_Loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


async def read_signature(client: MlflowRestClient, name: str, version: str) -> VersionSignature:
    raw = await client.version_file(name, version, "MLmodel", MLMODEL_LIMIT)
    if raw is None:
        return VersionSignature(
            inputs=None, outputs=None, params=None, flavors=[], input_example=None,
            input_example_source=None,
        )  # fmt: skip
    mlmodel = await asyncio.to_thread(parse_mlmodel, raw)
    signature = mlmodel.get("signature") or {}
    inputs = _fields(signature.get("inputs"))
    example, source = None, None
    saved = mlmodel.get("saved_input_example_info") or {}
    serving_path = saved.get("serving_input_path") if isinstance(saved, dict) else None
    if isinstance(serving_path, str) and serving_path:
        body = await client.version_file(name, version, serving_path, EXAMPLE_LIMIT)
        if body is not None:
            try:
                example, source = json.loads(body), "saved"
            except ValueError:
                example = None
    if example is None:
        example = example_from_signature(inputs)
        source = "signature" if example is not None else None
    flavors = mlmodel.get("flavors")
    return VersionSignature(
        inputs=inputs,
        outputs=_fields(signature.get("outputs")),
        params=_fields(signature.get("params")),
        flavors=sorted(flavors) if isinstance(flavors, dict) else [],
        input_example=example,
        input_example_source=source,
    )
