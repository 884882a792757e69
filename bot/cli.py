"""`sahayak`: the command line for running and administering the assistant."""

import threading
import time
import uuid

import httpx
import typer

from bot.settings import get_settings

app = typer.Typer(help="Karmayogi Sahayak: the iGOT Karmayogi helpdesk assistant.", no_args_is_help=True)
db_app = typer.Typer(help="The assistant's database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or migrate it to the latest schema."""
    from bot.db import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database is up to date")


@app.command()
def announce(timeout: float = 300.0) -> None:
    """Wait until the Rasa server answers, print where to chat, then stay up (a Procfile process)."""
    url = get_settings().rasa_url
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    else:
        typer.echo(f"the Rasa server at {url} did not come up within {timeout:.0f} s", err=True)
    typer.echo(
        "\n  Karmayogi Sahayak is running.\n"
        f'  REST channel: POST {url}/webhooks/rest/webhook  {{"sender": "me", "message": "hello"}}\n'
        "  Chat in this terminal: make chat   (or .venv/bin/sahayak chat)\n"
        f"  HTTP API: {url}/conversations/<id>/tracker?token=$RASA_API_TOKEN\n"
        "  Ctrl-C stops every process.\n"
    )
    threading.Event().wait()


@app.command()
def chat(sender: str = typer.Option(None, help="Conversation id; a new one by default.")) -> None:
    """Chat with the running assistant over the REST channel."""
    url = f"{get_settings().rasa_url}/webhooks/rest/webhook"
    sender = sender or f"terminal-{uuid.uuid4().hex[:8]}"
    buttons: list[dict[str, str]] = []
    typer.echo(f"Chatting as {sender}. Type a message, a button number, or /quit.")
    with httpx.Client(timeout=60) as client:
        while True:
            try:
                text = input("you> ")
            except (EOFError, KeyboardInterrupt):
                break
            if text.strip() == "/quit":
                break
            if text.strip().isdigit() and 0 < int(text) <= len(buttons):
                text = buttons[int(text) - 1]["payload"]
            try:
                replies = client.post(url, json={"sender": sender, "message": text}).json()
            except httpx.HTTPError as error:
                typer.echo(f"cannot reach the assistant at {url}: {error}", err=True)
                continue
            buttons = []
            for reply in replies:
                if reply.get("text"):
                    typer.echo(f"bot> {reply['text']}")
                for button in reply.get("buttons") or []:
                    buttons.append(button)
                    typer.echo(f"  [{len(buttons)}] {button['title']}")


def main() -> None:
    app()
