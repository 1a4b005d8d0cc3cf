"""The serving processes' log file: one per deployment, marked at every start, rotated."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

LOG_TAIL_BYTES = 256 * 1024
LOG_ROTATE_BYTES = 5 * 1024 * 1024
#: starts every line the backend itself writes (one per process start)
MARKER = "[primehub-models "
ERROR_LINE = re.compile(r"\b\w*(Error|Exception)\b")


def log_path(state_dir: str, deployment_id: str) -> Path:
    return Path(state_dir) / "logs" / f"{deployment_id}.log"


def prepare_log(path: Path, marker: str) -> None:
    """Rotate a large log, then write a start marker."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > LOG_ROTATE_BYTES:
        path.replace(path.with_suffix(".log.1"))
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{MARKER}{time.strftime('%Y-%m-%d %H:%M:%S')}] {marker}\n")


def tail(path: Path, lines: int) -> list[str]:
    """The last ``lines`` lines (of at most the last 256 KiB)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - LOG_TAIL_BYTES))
            data = f.read()
    except FileNotFoundError:
        return []
    text = data.decode("utf-8", errors="replace").splitlines()
    return text[-lines:] if lines > 0 else []


def last_failure(lines: list[str]) -> str:
    """The last start's error lines and final lines: what the user needs to see."""
    starts = [i for i, line in enumerate(lines) if line.startswith(MARKER)]
    section = lines[starts[-1] :] if starts else lines
    errors = [line for line in section if ERROR_LINE.search(line)][-8:]
    last = [line for line in section[-6:] if line not in errors]
    return "\n".join(errors + (["…"] if errors and last else []) + last)
