"""``jupyter primehub-models reconcile`` (or ``python -m jupyter_primehub_models …``): serve
the store's deployments without a Jupyter server, until SIGINT or SIGTERM.
``jupyter primehub-models service [--Class.trait=value …]``: run as a JupyterHub service
(``hub_service.py``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from .config import PrimeHubModels, load_jupyter_config
from .services import build_services


async def reconcile_forever(settings: PrimeHubModels) -> None:
    services = build_services(settings)
    await services.ensure_started()
    logging.getLogger(__name__).info(
        "Reconciling %s (backend %s, %s); Ctrl-C stops (serving processes keep running)",
        services.deployments.store.shown_url,
        settings.deploy_backend,
        "driving it" if services.reconciler.leading else "another process holds the lease",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await services.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jupyter primehub-models", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("reconcile", help="run the deployments reconciler in the foreground")
    commands.add_parser(
        "service", help="run as a JupyterHub service (further --Class.trait=value go to it)"
    )
    args, rest = parser.parse_known_args(argv)
    if args.command == "service":
        from .hub_service import run

        run(rest)
        return
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s %(name)s] %(message)s")
    asyncio.run(reconcile_forever(PrimeHubModels(config=load_jupyter_config())))


if __name__ == "__main__":
    main(sys.argv[1:])
