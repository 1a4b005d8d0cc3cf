"""The TypeScript types of the REST API, generated from its OpenAPI document.

    python scripts/api_types.py          # write labextension/src/api/schema.d.ts
    python scripts/api_types.py --check  # fail if the checked-in file is stale (CI)

The document comes from the route table (``server/routes.py``) and the pydantic models,
exactly as ``GET /primehub-models/api/openapi.json`` answers it; ``openapi-typescript``
(a dev dependency of the lab extension) turns it into types.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "labextension"
TARGET = LAB / "src" / "api" / "schema.d.ts"


def generate() -> str:
    from jupyter_primehub_models.server.openapi import build_document
    from jupyter_primehub_models.server.routes import ROUTES
    from jupyter_primehub_models.server.spec import API_BASE

    document = build_document(ROUTES, API_BASE)
    tool = LAB / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists():
        sys.exit(f"{tool} is missing: run `jlpm install` in labextension/ first")
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "openapi.json", Path(tmp) / "schema.d.ts"
        source.write_text(json.dumps(document, indent=1), encoding="utf-8")
        subprocess.run(
            [str(tool), str(source), "--output", str(out), "--alphabetize",
             "--default-non-nullable", "false"],
            check=True, capture_output=True, cwd=LAB,
        )  # fmt: skip
        body = out.read_text(encoding="utf-8")
    header = (
        "/**\n * The REST API's types, generated from its OpenAPI document by\n"
        " * `python scripts/api_types.py`: do not edit (CI checks they are current).\n */\n"
    )
    return header + body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    fresh = generate()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != fresh:
            print(
                f"{TARGET.relative_to(ROOT)} is stale: run `python scripts/api_types.py`",
                file=sys.stderr,
            )
            return 1
        print(f"{TARGET.relative_to(ROOT)} is current")
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(fresh, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
