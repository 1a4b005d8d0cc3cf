"""Team mode on a real JupyterHub (``tests/hub.py``): each user sees only their groups,
and the hub service serves the group's deployments after its author's server is gone.
Everything goes through the hub's URLs, with each user's own hub token."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import servers
from tests.deploying import ROWS, RequestLoop, score, until, wait_for
from tests.hub import PASSWORD, SERVICE, Hub, jupyterhub
from tests.postgres import fresh_database
from tests.remote_api import RemoteApi
from tests.seed_registry import IRIS
from tests.ui.conftest import chromium_page
from tests.ui.helpers import ModelsSidebar

pytestmark = pytest.mark.timeout(900)
USERS = ("user-a1", "user-a2", "user-b1")


@dataclass
class Team:
    hub: Hub
    db_url: str
    #: each user's API on their own server, and on the service
    servers: dict[str, RemoteApi]
    service: dict[str, RemoteApi]
    deployment: str = ""


@pytest.fixture(scope="module")
def team(
    tmp_path_factory: pytest.TempPathFactory, mlflow_uri: str, seeded: Any, postgres_admin: str
) -> Iterator[Team]:
    root = tmp_path_factory.mktemp("hub")
    db_url = fresh_database(postgres_admin)
    groups = {"team-a": {"tracking_uri": mlflow_uri}, "team-b": {"tracking_uri": mlflow_uri}}
    try:
        with jupyterhub(root, groups, db_url) as hub:
            for user in USERS:
                hub.start_server(user)
            tokens = {user: hub.token(user) for user in USERS}
            yield Team(
                hub, db_url,
                servers={u: RemoteApi(f"{hub.url}/user/{u}", t) for u, t in tokens.items()},
                service={u: RemoteApi(f"{hub.url}/services/{SERVICE}", t)
                         for u, t in tokens.items()},
            )  # fmt: skip
    finally:
        servers.kill_recorded_processes(root, db_url)


def _serving(deployment_id: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if f"--deployment {deployment_id} " in cmdline:
                found.append(int(entry.name))
    return found


async def test_a_deployment_is_the_groups(team: Team) -> None:
    a1, a2 = team.servers["user-a1"], team.servers["user-a2"]
    made = await a1("groups", "team-a", "deployments", method="POST",
                    body={"name": "team iris", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert made.status == 201, made.text
    team.deployment = deployment_id = made.body["id"]
    # the stable endpoint shown is the service's
    assert made.body["scoring_url"] == (
        f"/services/{SERVICE}/primehub-models/api/groups/team-a/deployments/{deployment_id}"
        "/invocations"
    )
    await wait_for(a2, "team-a", deployment_id, lambda d: d["phase"] == "Deployed")
    # user-a2 sees it, in the list and in Deployed By
    listed = await a2("groups", "team-a", "deployments")
    assert [d["id"] for d in listed.body["deployments"]] == [deployment_id]
    versions = await a2("groups", "team-a", "models", IRIS, "versions")
    by_version = {v["version"]: v for v in versions.body["versions"]}
    assert [d["id"] for d in by_version["1"]["deployed_by"]] == [deployment_id]
    # served by the service (the lease holder), not by user-a1's server
    (pid,) = _serving(deployment_id)
    assert pid != team.hub.service_pid() and os.getpgid(pid) == pid  # its own session
    scored = await score(team.service["user-a2"], deployment_id, group="team-a")
    assert scored.status == 200 and len(scored.body["predictions"]) == len(ROWS["data"])

    # user-a2 stops and starts it
    stopped = await a2("groups", "team-a", "deployments", deployment_id, "stop", method="POST")
    assert stopped.status == 200, stopped.text
    await wait_for(a2, "team-a", deployment_id, lambda d: d["phase"] == "Stopped")
    started = await a2("groups", "team-a", "deployments", deployment_id, "start", method="POST")
    assert started.status == 200, started.text
    await wait_for(a2, "team-a", deployment_id, lambda d: d["phase"] == "Deployed")


async def test_another_group_does_not_exist_for_its_non_members(team: Team) -> None:
    deployment_id = team.deployment
    assert deployment_id, "the first test makes the deployment"
    for api in (team.servers["user-b1"], team.service["user-b1"]):
        groups = await api("groups")
        assert [g["name"] for g in groups.body["groups"]] == ["team-b"]
        for path in (
            ("groups", "team-a", "models", IRIS),
            ("groups", "team-a", "models", IRIS, "versions"),
            ("groups", "team-a", "deployments"),
            ("groups", "team-a", "deployments", deployment_id),
            ("groups", "team-a", "deployments", deployment_id, "logs"),
        ):
            r = await api(*path)
            assert r.status == 404 and r.body["error"]["code"] == "NOT_FOUND", (path, r.text)
        scored = await score(api, deployment_id, group="team-a")  # private: as if absent
        assert scored.status == 404, scored.text
        # not even under its own group's name
        r = await api("groups", "team-b", "deployments", deployment_id)
        assert r.status == 404, r.text


async def test_a_public_deployment_stays_public_on_the_service(team: Team) -> None:
    deployment_id = team.deployment
    assert deployment_id, "the first test makes the deployment"
    a2 = team.servers["user-a2"]
    current = await a2("groups", "team-a", "deployments", deployment_id)
    public = {"access": "public", "revision": current.body["revision"]}
    made_public = await a2("groups", "team-a", "deployments", deployment_id, method="PATCH",
                           body=public)  # fmt: skip
    assert made_public.status == 200, made_public.text
    anonymous = RemoteApi(f"{team.hub.url}/services/{SERVICE}", "")
    anonymous.headers = {}  # no token at all

    def answers(api: RemoteApi, status: int) -> Any:
        async def check() -> bool:
            return (await score(api, deployment_id, group="team-a")).status == status

        return check

    try:
        # the change was written through a2's server: the service sees it within a pass
        await until(answers(anonymous, 200), 5, "the service scoring it for anyone")
        scored = await score(team.service["user-b1"], deployment_id, group="team-a")
        assert scored.status == 200, scored.text  # a non-member too
        # and only scoring: the deployment itself stays the group's
        assert (await anonymous("groups", "team-a", "deployments", deployment_id)).status == 401
        r = await team.service["user-b1"]("groups", "team-a", "deployments", deployment_id)
        assert r.status == 404, r.text
    finally:
        now = await a2("groups", "team-a", "deployments", deployment_id)
        back = await a2("groups", "team-a", "deployments", deployment_id, method="PATCH",
                        body={"access": "private", "revision": now.body["revision"]})  # fmt: skip
        assert back.status == 200, back.text
    await until(answers(anonymous, 401), 5, "the service refusing anonymous callers again")
    refused = await score(team.service["user-b1"], deployment_id, group="team-a")
    assert refused.status == 404, refused.text


KERNEL_PROBE = """
import json
import jupyter_primehub_models as pm
from jupyter_primehub_models.errors import NotFound
seen = {"groups": [g.name for g in pm.list_groups().groups]}
for name, call in (("models", lambda: pm.list_models(group="team-a")),
                   ("deployment", lambda: pm.get_deployment(DEPLOYMENT, group="team-a"))):
    try:
        call()
        seen[name] = "seen"
    except NotFound:
        seen[name] = "not found"
seen["own"] = len(pm.list_deployments())  # its own group (team-b) works
print(json.dumps(seen))
"""


async def test_a_kernel_sees_what_its_owner_may_see(team: Team) -> None:
    from tests.kernels import run_in_notebook_kernel

    deployment_id = team.deployment
    assert deployment_id, "the first test makes the deployment"
    code = KERNEL_PROBE.replace("DEPLOYMENT", repr(deployment_id))
    out = await run_in_notebook_kernel(
        f"{team.hub.url}/user/user-b1", team.servers["user-b1"].headers["Authorization"][6:],
        "probe.ipynb", code,
    )  # fmt: skip
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen == {"groups": ["team-b"], "models": "not found", "deployment": "not found",
                    "own": 0}  # fmt: skip


async def test_the_authors_server_stopping_drops_no_request(team: Team) -> None:
    deployment_id = team.deployment
    assert deployment_id, "the first test makes the deployment"
    (before,) = _serving(deployment_id)
    async with RequestLoop(team.service["user-a2"], deployment_id, group="team-a") as loop:
        await loop.more(20)
        await _in_thread(team.hub.stop_server, "user-a1")
        await loop.more(40)
        results = await loop.stop()
    assert set(results) == {200}, [s for s in results if s != 200][:5]
    assert _serving(deployment_id) == [before]


async def test_a_killed_service_comes_back_and_adopts(team: Team) -> None:
    deployment_id = team.deployment
    assert deployment_id, "the first test makes the deployment"
    (before,) = _serving(deployment_id)
    old = team.hub.service_pid()
    assert old is not None
    os.kill(old, signal.SIGKILL)  # the hub restarts its managed service

    async def back() -> bool:
        pid = team.hub.service_pid()
        return pid is not None and pid != old and team.hub.service_ready()

    await until(back, 120, "the service restarted by the hub")
    service = team.service["user-a2"]
    await wait_for(service, "team-a", deployment_id, lambda d: d["phase"] == "Deployed")
    scored = await score(service, deployment_id, group="team-a")
    assert scored.status == 200, scored.text
    assert _serving(deployment_id) == [before]  # adopted, not restarted


async def test_a_member_sees_the_groups_deployment_in_the_sidebar(team: Team) -> None:
    deployment_id = team.deployment
    assert deployment_id, "the first test makes the deployment"
    async with chromium_page() as page:
        await page.goto(f"{team.hub.url}/hub/login")
        await page.fill("#username_input", "user-a2")
        await page.fill("#password_input", PASSWORD)
        await page.click("#login_submit")
        await page.wait_for_url("**/user/user-a2/**", timeout=60_000)
        sidebar = ModelsSidebar(page, f"{team.hub.url}/user/user-a2", "")
        await sidebar.open()
        await sidebar.root.get_by_role("tab", name="Deployments").click()
        row = sidebar.root.locator(f'[data-deployment="{deployment_id}"]')
        await row.wait_for(timeout=30_000)
        assert "team iris" in await row.inner_text()


async def _in_thread(fn: Any, *args: Any) -> Any:
    import asyncio

    return await asyncio.to_thread(fn, *args)
