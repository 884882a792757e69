"""High 4: actions called SQLAlchemy on the action server's event loop, so one database that accepted
connections but never answered froze every user's turn. Now every database call runs off the loop and
every engine gives up after its connect and statement timeouts."""

import asyncio
import os
import socket
import subprocess
import threading
from collections.abc import Iterator

import httpx
import pytest

from bot.db import make_engine
from bot.settings import ROOT
from tests.e2e.servers import ACTION_SERVER_TOKEN, PROOF_KEY, free_port, wait_until_up
from tests.security.test_action_server_trust import action_call


@pytest.fixture
def silent_database() -> Iterator[int]:
    """A TCP server that accepts connections and never says a word: a hung database."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_an_engine_gives_up_on_a_database_that_never_answers(silent_database: int) -> None:
    engine = make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{silent_database}/none", connect_timeout=1)
    with pytest.raises(Exception, match=r"timeout|timed out"):
        engine.connect()


@pytest.fixture
def action_server(silent_database: int, tmp_path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "SAHAYAK_ENV": "production",
        "SAHAYAK_DATABASE_URL": f"postgresql+psycopg://nobody@127.0.0.1:{silent_database}/none",
        "SAHAYAK_DATABASE_CONNECT_TIMEOUT": "10",
        "SAHAYAK_ACTION_SERVER_TOKEN": ACTION_SERVER_TOKEN,
        "SAHAYAK_PROOF_KEY": PROOF_KEY,
        "SAHAYAK_IDENTITY_JWT_KEY": "",
    }
    log = tmp_path / "actions.log"
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "-m", "bot.action_server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, log, timeout=120)
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        process.terminate()
        process.wait(timeout=30)


async def test_other_users_are_answered_while_one_turn_waits_for_the_database(action_server: str) -> None:
    headers = {"Authorization": f"Bearer {ACTION_SERVER_TOKEN}"}
    stuck = action_call("action_escalate", "rest:waits-for-db", "talk to a person", {})
    other = action_call("action_detect_language", "rest:someone-else", "नमस्ते", {})
    async with httpx.AsyncClient(timeout=120) as client:
        escalation = asyncio.create_task(client.post(action_server, json=stuck, headers=headers))
        await asyncio.sleep(1)  # let the escalation reach the database first
        answered = await client.post(action_server, json=other, headers=headers)
        assert answered.status_code == 200 and {"event": "slot", "name": "language"} in [
            {k: e.get(k) for k in ("event", "name")} for e in answered.json()["events"]
        ]
        # The other user's turn came back while the escalation was still waiting on the database...
        assert not escalation.done()
        # ...which gave up after its timeout and told the user, instead of hanging.
        reply = await escalation
        assert reply.status_code == 200
        assert [r.get("response") for r in reply.json()["responses"]] == ["utter_service_unavailable"]
