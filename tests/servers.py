"""Real servers for the tests: MLflow, Jupyter, and two broken upstreams (hanging, HTML)."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent


def free_port(preferred: int = 0) -> int:
    """``preferred`` if it is free on loopback, else any free port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
        except OSError:
            s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 (loopback)
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes], grace: float = 10) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it forked."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


@contextlib.contextmanager
def mlflow_server(
    root: Path, port: int | None = None, workers: int = 1, admin_password: str | None = None
) -> Iterator[str]:
    """``mlflow server`` with a SQLite store on a loopback port (a free one by default);
    with ``admin_password``, MLflow's basic-auth app (user ``admin``, others READ)."""
    port = port or free_port()
    log = root / "mlflow.log"
    cmd = [
        str(BIN / "mlflow"), "server",
        "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination", str(root / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    env = child_env(MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    if admin_password is not None:
        ini = root / "basic_auth.ini"
        ini.write_text(
            "[mlflow]\ndefault_permission = READ\n"
            f"database_uri = sqlite:///{root / 'auth.db'}\nadmin_username = admin\n"
            f"admin_password = {admin_password}\n"
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
        )
        cmd += ["--app-name", "basic-auth"]
        env.update(MLFLOW_AUTH_CONFIG_PATH=str(ini), MLFLOW_FLASK_SERVER_SECRET_KEY="test-" * 8)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, cwd=root, start_new_session=True,
            env=env,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/health", proc, 180, log)
        yield url
    finally:
        stop(proc)


def seed_registry(uri: str) -> dict[str, list[dict[str, str]]]:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("seed_registry.py")), uri],
        capture_output=True, check=False, timeout=600, env=child_env(),
    )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(out.stderr.decode()[-3000:])
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


@contextlib.contextmanager
def jupyter_server(root: Path, config: dict[str, object], token: str) -> Iterator[str]:
    """A real ``jupyter lab`` in its own process, configured by ``config``."""
    url, proc = start_jupyter(root, config, token)
    try:
        yield url
    finally:
        stop(proc)


def start_jupyter(
    root: Path, config: dict[str, object], token: str
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start ``jupyter lab`` and wait until it answers; the caller stops it."""
    port = free_port()
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "notebooks").mkdir(exist_ok=True)
    (root / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
    (root / "config" / "labconfig").mkdir(exist_ok=True)
    quiet = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    (root / "config" / "labconfig" / "page_config.json").write_text(json.dumps(quiet))
    log = root / f"jupyter-{port}.log"
    cmd = [
        str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root / 'notebooks'}",
        "--allow-root", "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, as Galata's tests use
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, cwd=root, start_new_session=True,
            env=child_env(JUPYTER_CONFIG_DIR=str(root / "config"),
                          JUPYTER_RUNTIME_DIR=str(root / "runtime")),
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/api/status?token={token}", proc, 120, log)
    return url, proc


class _Silent(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _Html500(_Silent):
    def do_GET(self) -> None:
        body = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
        self.send_response(500)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET


@contextlib.contextmanager
def html_server() -> Iterator[str]:
    """A web server that answers every request with an HTML error page (not MLflow)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Html500)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def hanging_server() -> Iterator[str]:
    """A socket that accepts connections and never answers (a hung MLflow)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopping.set()
        listener.close()
        for conn in held:
            conn.close()


def kill_recorded_processes(state_dir: Path, db_url: str | None = None) -> None:
    """Kill every serving process a deployments store records (test teardown): the SQLite
    store in ``state_dir``, or the store at ``db_url``."""
    from sqlalchemy import create_engine, text

    if db_url is None:
        db = state_dir / "deployments.sqlite"
        if not db.exists():
            return
        db_url = f"sqlite:///{db}"
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT runtime FROM deployments")).all()
    except Exception:  # a store never made, or gone: nothing to kill
        return
    finally:
        engine.dispose()
    for (runtime,) in rows:
        for replica in json.loads(runtime).get("replicas", ()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(replica["pid"], signal.SIGKILL)


def kill_serving_processes(state_dir: Path, db_url: str | None = None) -> None:
    """Kill a test's serving processes: those its store records, and any listening in its
    socket folder (one that became ready after the store was last written, or whose store
    is gone)."""
    from jupyter_primehub_models.deployments.backends.local.processes import (
        SERVE_MODULE,
        default_socket_dir,
    )

    kill_recorded_processes(state_dir, db_url)
    folders = {str(state_dir / "sockets"), str(default_socket_dir(str(state_dir)))}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            raw = (proc / "cmdline").read_bytes()
        except OSError:  # (gone meanwhile)
            continue
        args = [a.decode(errors="replace") for a in raw.split(b"\0")]
        if SERVE_MODULE not in args or "--socket" not in args[:-1]:
            continue
        if os.path.dirname(args[args.index("--socket") + 1]) in folders:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(int(proc.name), signal.SIGKILL)


def mlflow_call(uri: str, endpoint: str, body: dict[str, Any], method: str = "POST") -> Any:
    """One call of MLflow's REST API (test setup: tags, bulk models)."""
    r = httpx.request(method, f"{uri}/api/2.0/mlflow/{endpoint}", json=body, timeout=30)
    r.raise_for_status()
    return r.json()


@contextlib.contextmanager
def ray_head(root: Path, cpus: int = 4) -> Iterator[dict[str, Any]]:
    """``ray start --head --block`` on loopback in its own session (token auth off, as a
    local test head); killed after, with any daemon that left its process group."""
    port, dashboard, serve_port = free_port(), free_port(), free_port()
    root.mkdir(parents=True, exist_ok=True)
    log = (root / "head.log").open("wb")
    cmd = [
        str(BIN / "ray"), "start", "--head", "--block",
        "--node-ip-address=127.0.0.1", f"--port={port}", "--dashboard-host=127.0.0.1",
        f"--dashboard-port={dashboard}", f"--num-cpus={cpus}", "--disable-usage-stats",
        f"--temp-dir={root / 't'}", "--include-dashboard=true",
    ]  # fmt: skip
    env = child_env(RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0")
    head = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{dashboard}/api/version", timeout=2).is_success:
                    break
            assert head.poll() is None, (root / "head.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the Ray head did not start"
            time.sleep(0.5)
        yield {"address": f"127.0.0.1:{port}", "serve_port": serve_port}
    finally:
        stop(head, grace=20)
        _kill_by_path(root)
        log.close()


def _kill_by_path(root: Path) -> None:
    """Processes whose command line names ``root`` (daemons that left the session)."""
    import psutil

    for proc in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if str(root) in " ".join(proc.info["cmdline"] or ()):
                proc.kill()


@contextlib.contextmanager
def forwarder(port: int, target: str) -> Iterator[str]:
    """A TCP forwarder on loopback ``port`` to ``target`` (``http://host:port``): a server
    that "comes back" on an address that was down, for tests of Retry."""
    host, target_port = target.removeprefix("http://").rsplit(":", 1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    stopping = threading.Event()
    conns: list[socket.socket] = []

    def pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def accept() -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((host, int(target_port)))
            conns.extend((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stopping.set()
        listener.close()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.close()
