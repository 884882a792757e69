"""`sahayak`: the command line for running and administering the assistant."""

import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import typer

from bot.rasa_client import RasaClient, RasaError
from bot.settings import get_settings
from bot.tools import demo_portal, telegram_webhook

app = typer.Typer(help="Karmayogi Sahayak: the iGOT Karmayogi helpdesk assistant.", no_args_is_help=True)
db_app = typer.Typer(help="The assistant's database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
kb_app = typer.Typer(help="The circulars and guides the bot answers from.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or migrate it to the latest schema."""
    from bot.db import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database is up to date")


@kb_app.command("ingest")
def kb_ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: Markdown, HTML, PDF or text.")],
    index: Annotated[Path | None, typer.Option(help="Index folder [default: SAHAYAK_KB_INDEX_DIR].")] = None,
    index_type: Annotated[str | None, typer.Option(help="flat (exact) or hnsw (approximate).")] = None,
) -> None:
    """Build or update the index; only documents whose content changed are embedded again."""
    from tqdm import tqdm

    from bot.knowledge.documents import DocumentError
    from bot.knowledge.embeddings import SentenceEncoder
    from bot.knowledge.ingest import ingest

    settings = get_settings()
    folder = index or settings.kb_index_dir
    with tqdm(desc="chunks", unit="chunk", total=0, disable=None) as bar:

        def set_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        try:
            report = ingest(
                paths,
                folder,
                encoder=SentenceEncoder(settings.embedding_model),
                index_type=index_type or settings.kb_index_type,
                examples_folder=settings.kb_examples,
                progress=bar.update,
                on_total=set_total,
            )
        except (DocumentError, ValueError) as error:
            bar.close()
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    manifest = report.manifest
    typer.echo(
        f"{report.documents} documents ({report.changed_documents} changed), {manifest.chunk_count} chunks "
        f"({report.embedded} embedded, {report.duplicates} duplicates dropped), "
        f"{manifest.example_count} example questions, model {manifest.model}, "
        f"{manifest.index_type} index in {folder}"
    )


@kb_app.command("search")
def kb_search(query: str, k: Annotated[int, typer.Option(help="How many passages to show.")] = 5) -> None:
    """Show the passages a question finds, with their scores and sources."""
    from bot.knowledge.index import IndexUnavailable
    from bot.services import get_services

    try:
        knowledge = get_services().knowledge()
    except IndexUnavailable as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    hits = knowledge.search(query, k=k)
    verdict = "confident" if knowledge.confident(hits) else "not confident"
    typer.echo(f"{verdict} (threshold {knowledge.min_score:.2f})")
    for rank, hit in enumerate(hits, start=1):
        source = hit.chunk.source
        cited = ", ".join(x for x in (source.number, source.date) if x)
        typer.echo(
            f"{rank}. {hit.score:.3f} (dense {hit.dense:.3f}, lexical {hit.lexical:.3f})  {hit.chunk.id} "
            f"[{hit.chunk.language}]  {source.title}{f' ({cited})' if cited else ''}"
        )
        typer.echo(f"   {hit.chunk.text[:160]}")


def telegram_state() -> str:
    settings = telegram_webhook.load_settings()
    if not settings.token:
        return "closed (set TELEGRAM_BOT_TOKEN in .env)"
    return f"open, {settings.mode} mode"


@app.command()
def announce(timeout: float = 300.0) -> None:
    """Wait until the Rasa server answers, print where to chat, then stay up (a Procfile process)."""
    url = get_settings().rasa_url
    deadline = time.monotonic() + timeout
    with RasaClient(url, timeout=2) as rasa:
        while time.monotonic() < deadline and not rasa.is_up():
            time.sleep(1)
        up = rasa.is_up()
    if not up:
        typer.echo(f"the Rasa server at {url} did not come up within {timeout:.0f} s", err=True)
    typer.echo(
        "\n  Karmayogi Sahayak is running.\n"
        f'  REST channel: POST {url}/webhooks/rest/webhook  {{"sender": "me", "message": "hello"}}\n'
        "  Chat in this terminal: make chat   (or .venv/bin/sahayak chat)\n"
        f"  HTTP API: {url}/conversations/rest:<sender>/tracker?token=$RASA_API_TOKEN\n"
        "  Portal page with the help widget: http://localhost:8000/\n"
        f"  Helpdesk console: http://localhost:{get_settings().console_port}/  (sahayak staff add)\n"
        f"  Telegram: {telegram_state()}; WhatsApp webhook: {url}/webhooks/whatsapp/webhook\n"
        "  Sign-in codes (development outbox): var/outbox.txt\n"
        "  Ctrl-C stops every process.\n"
    )
    threading.Event().wait()


@app.command()
def chat(sender: str = typer.Option(None, help="Conversation id; a new one by default.")) -> None:
    """Chat with the running assistant over the REST channel."""
    settings = get_settings()
    sender = sender or f"terminal-{uuid.uuid4().hex[:8]}"
    buttons: list[dict[str, str]] = []
    typer.echo(f"Chatting as {sender}. Type a message, a button number, or /quit.")
    with RasaClient.from_settings(settings) as rasa:
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
                replies = rasa.say(sender, text)
            except RasaError as error:
                if error.status is None:
                    typer.echo(f"cannot reach the assistant at {rasa.url}: {error.reason}", err=True)
                else:
                    typer.echo(
                        f"the assistant refused the message ({error.status}): {error.reason}", err=True
                    )
                continue
            # Like buttons in a messaging app, the last ones shown stay usable until new ones replace them.
            shown: list[dict[str, str]] = []
            for reply in replies:
                if reply.get("text"):
                    typer.echo(f"bot> {reply['text']}")
                for button in reply.get("buttons") or []:
                    shown.append(button)
                    typer.echo(f"  [{len(shown)}] {button['title']}")
            buttons = shown or buttons


demo_app = typer.Typer(help="Demo learner records.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
import_app = typer.Typer(help="Learner records from the portal's CSV exports.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.command("portal")(demo_portal.serve)
app.add_typer(telegram_webhook.app, name="telegram")


@demo_app.command("load")
def demo_load(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
    employees: Annotated[int, typer.Option(help="How many employees.")] = 5000,
    organisations: Annotated[int, typer.Option(help="How many organisations.")] = 60,
    courses: Annotated[int, typer.Option(help="How many courses.")] = 320,
    now: Annotated[
        bool, typer.Option("--now", help="Date the records as of now, not 15 January 2026 (the default).")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing, successfully, when records are already loaded.")
    ] = False,
) -> None:
    """Fill an empty database with deterministic demo learner records."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import make_engine, make_sessions
    from bot.records.demo import DEMO_IDENTITIES, REFERENCE_TIME, DemoLoadError, generate, load

    reference = datetime.now(UTC) if now else REFERENCE_TIME
    engine = make_engine(get_settings().database_url)
    try:
        data = generate(
            seed=seed, employees=employees, organisations=organisations, courses=courses, reference=reference
        )
        report = load(make_sessions(engine), data, progress=True)
    except DemoLoadError as error:
        if if_empty:
            typer.echo("learner records already loaded; `sahayak demo load` skipped")
            return
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as error:
        typer.echo(
            f"error: the database refused ({type(error).__name__}); run `sahayak db upgrade` first?", err=True
        )
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"loaded {report}, as of {reference:%Y-%m-%d %H:%M} UTC")
    typer.echo(
        "demo identities (prove who you are with the e-mail code, or the mobile on WhatsApp/Telegram):"
    )
    for identity in DEMO_IDENTITIES:
        typer.echo(f"  {identity.code}  {identity.email:<28} {identity.mobile}  {identity.description}")


@demo_app.command("token")
def demo_token(
    email: Annotated[str, typer.Argument(help="The employee's official e-mail, e.g. a demo identity's.")],
    minutes: Annotated[int, typer.Option(min=1, max=24 * 60, help="How long the token is valid.")] = 60,
) -> None:
    """Sign a portal identity token the way the portal would, with the configured HS256 secret."""
    try:
        typer.echo(demo_portal.sign_portal_token(email, minutes=minutes))
    except demo_portal.TokenUnavailable as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _import(kind: Literal["employees", "enrolments"], path: Path, show: int) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import make_engine, make_sessions
    from bot.records.importer import ImportFailed, import_csv

    engine = make_engine(get_settings().database_url)
    try:
        report = import_csv(make_sessions(engine), path, kind=kind, progress=True)
    except ImportFailed as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as error:
        typer.echo(f"error: the database refused ({type(error).__name__}); nothing changed", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(str(report))
    if report.ignored_columns:
        typer.echo(f"ignored columns: {', '.join(report.ignored_columns)}", err=True)
    for row_error in report.errors[:show]:
        typer.echo(f"  {row_error}", err=True)
    if len(report.errors) > show:
        typer.echo(f"  ... and {len(report.errors) - show} more", err=True)
    if report.rejected:
        raise typer.Exit(1)


@import_app.command("employees")
def import_employees(
    path: Annotated[
        Path, typer.Argument(help="CSV: code,name,email,mobile,designation,group,organisation_code")
    ],
    show: Annotated[int, typer.Option(help="How many row errors to print.")] = 50,
) -> None:
    """Add or update employees (by code). Exits 1 if any row was rejected; the valid ones are imported."""
    _import("employees", path, show)


@import_app.command("enrolments")
def import_enrolments(
    path: Annotated[
        Path,
        typer.Argument(
            help="CSV: employee_code,course_code,status,completion,completed_at,certificate_id,"
            "certificate_issued_at"
        ),
    ],
    show: Annotated[int, typer.Option(help="How many row errors to print.")] = 50,
) -> None:
    """Add or update enrolments (by employee and course). Exits 1 if any row was rejected."""
    _import("enrolments", path, show)


staff_app = typer.Typer(help="Helpdesk staff accounts for the console.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")


def _new_password(password_stdin: bool) -> str:
    """A password from standard input (one line, for scripts) or typed twice at a hidden prompt."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _staff_call(work: Callable[[], object]) -> None:
    from bot.helpdesk.staff import StaffError

    try:
        work()
    except StaffError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@staff_app.command("add")
def staff_add(
    username: str,
    first_name: Annotated[str, typer.Option(help="Shown to users when this agent joins a conversation.")],
    role: Annotated[str, typer.Option(help="agent or supervisor.")] = "agent",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Create a staff account (passwords: 12 or more characters, hashed with Argon2)."""
    from bot.helpdesk.staff import add_staff
    from bot.helpdesk.tables import StaffRole
    from bot.services import get_services

    if role not in StaffRole.__members__:
        typer.echo("error: --role is agent or supervisor", err=True)
        raise typer.Exit(1)
    password = _new_password(password_stdin)
    _staff_call(
        lambda: add_staff(
            get_services().sessions,
            username=username,
            first_name=first_name,
            password=password,
            role=StaffRole(role),
        )
    )
    typer.echo(f"account {username.strip().casefold()} created ({role})")


@staff_app.command("password")
def staff_password(
    username: str,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Set a new password; the account's open sessions end."""
    from bot.helpdesk.staff import set_password
    from bot.services import get_services

    password = _new_password(password_stdin)
    _staff_call(lambda: set_password(get_services().sessions, username=username, password=password))
    typer.echo("password changed")


@staff_app.command("disable")
def staff_disable(username: str) -> None:
    """Disable an account: it can no longer sign in and its sessions end. Its audit trail stays."""
    from bot.helpdesk.staff import set_active
    from bot.services import get_services

    _staff_call(lambda: set_active(get_services().sessions, username=username, active=False))
    typer.echo(f"account {username.strip().casefold()} disabled")


@staff_app.command("list")
def staff_list() -> None:
    """The accounts, with their role and whether they are active."""
    from bot.helpdesk.staff import list_staff
    from bot.services import get_services

    for staff in list_staff(get_services().sessions):
        state = "active" if staff.active else "disabled"
        typer.echo(f"{staff.username}\t{staff.first_name}\t{staff.role.value}\t{state}")


@app.command()
def console(
    host: Annotated[str | None, typer.Option(help="[default: SAHAYAK_CONSOLE_HOST, 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="[default: SAHAYAK_CONSOLE_PORT, 8001]")] = None,
) -> None:
    """Run the helpdesk console."""
    import logging

    import uvicorn

    from bot.console.app import create_app
    from bot.services import get_services
    from contract.deployment import require_safe_secrets
    from contract.logs import install_log_sanitiser

    settings = get_settings()
    install_log_sanitiser()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s  - %(message)s")
    names = ["SAHAYAK_CONSOLE_SECRET"]
    require_safe_secrets("The helpdesk console", names, settings.secret_values(), required=names)
    app_ = create_app(settings, get_services().sessions)
    uvicorn.run(
        app_,
        host=host or settings.console_host,
        port=port or settings.console_port,
        access_log=False,
        server_header=False,
        proxy_headers=False,
    )


def main() -> None:
    app()
