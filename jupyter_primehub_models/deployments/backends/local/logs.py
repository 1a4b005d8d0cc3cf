"""The serving processes' log file: one per deployment, marked at every start, private to
the server's user (0600 in a 0700 folder), and rotated while the processes write to it."""

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


def open_log(path: Path) -> int:
    """The log opened for appending (a file descriptor), made 0600 in a 0700 folder."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return fd


def append(path: Path, text: str) -> None:
    """A line (or lines) of the backend's own, marked, at the end of the log."""
    fd = open_log(path)
    try:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        os.write(fd, f"{MARKER}{stamp}] {text}\n".encode(errors="replace"))
    finally:
        os.close(fd)


def prepare_log(path: Path, marker: str, max_bytes: int = LOG_ROTATE_BYTES) -> None:
    """Rotate a large log, then write a start marker."""
    rotate(path, max_bytes)
    append(path, marker)


def rotate(path: Path, max_bytes: int) -> bool:
    """When the log is past ``max_bytes``: its content moves to ``.log.1`` and the log is
    emptied in place. The serving processes keep their descriptor, opened for appending,
    so they go on writing at its (new) end: it rotates while they run."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return False
    if size <= max_bytes:
        return False
    old = path.with_suffix(".log.1")
    fd = os.open(old, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with path.open("rb") as source:
            while chunk := source.read(1024 * 1024):
                os.write(fd, chunk)
    finally:
        os.close(fd)
    os.truncate(path, 0)
    return True


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
