"""`sahayak telegram`: the bot's webhook at Telegram, and a poller for running without a public URL.

The poller long-polls getUpdates and forwards each update, unchanged, to the Rasa server's own webhook
(`/webhooks/telegram/webhook`) with the secret header, so polling and webhook mode share one code path in
`connectors/telegram_channel.py`. Nothing here prints the bot token: error messages name the failure only.
"""

import contextlib
import threading
import time
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
import typer

from bot.settings import environment, get_settings
from contract.deployment import MODE, require_safe_secrets
from contract.telegram_settings import ALLOWED_UPDATES, SECRET_HEADER, WEBHOOK_PATH, TelegramSettings

app = typer.Typer(help="Telegram: the bot's webhook, and the poller for local runs.", no_args_is_help=True)

LONG_POLL_SECONDS = 25
MAX_BACKOFF = 30.0


class TelegramApiError(Exception):
    """Telegram said no (or could not be reached); the message never contains the token."""

    def __init__(self, method: str, description: str, status: int | None = None) -> None:
        super().__init__(f"{method}: {description}")
        self.status = status


class BotApi:
    """The few Bot API methods the admin commands use."""

    def __init__(self, settings: TelegramSettings, client: httpx.Client) -> None:
        self.token = settings.token
        self.base = f"{settings.api_url.rstrip('/')}/bot{settings.token}"
        self.client = client

    def call(self, method: str, *, http_timeout: float = 30.0, **params: Any) -> Any:
        try:
            response = self.client.post(f"{self.base}/{method}", json=params, timeout=http_timeout)
        except httpx.HTTPError as error:
            raise TelegramApiError(method, f"cannot reach Telegram ({type(error).__name__})") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not body.get("ok"):
            description = str(body.get("description") or f"HTTP {response.status_code}")
            raise TelegramApiError(method, description.replace(self.token, "<token>"), response.status_code)
        return body.get("result")


def load_settings() -> TelegramSettings:
    """The same TELEGRAM_* settings the Rasa server's connector reads (the environment, then `.env`)."""
    return TelegramSettings.from_env(environment())


def _api(settings: TelegramSettings, client: httpx.Client) -> BotApi:
    if not settings.token:
        typer.echo("error: TELEGRAM_BOT_TOKEN is empty (set it in .env; @BotFather gives it)", err=True)
        raise typer.Exit(1)
    return BotApi(settings, client)


def webhook_url(url: str) -> str:
    """The given URL, with our webhook path added when it names only the server."""
    return url.rstrip("/") + WEBHOOK_PATH if urlsplit(url).path in ("", "/") else url


@app.command("set-webhook")
def set_webhook(
    url: Annotated[str, typer.Argument(help=f"Public HTTPS URL of the Rasa server, or of {WEBHOOK_PATH}.")],
    drop_pending: Annotated[bool, typer.Option(help="Discard updates Telegram is still holding.")] = False,
) -> None:
    """Tell Telegram to POST updates to URL, with our secret token and only the update kinds we handle."""
    settings = load_settings()
    if not settings.secret:
        typer.echo("error: TELEGRAM_SECRET_TOKEN is empty; the webhook would refuse every update", err=True)
        raise typer.Exit(1)
    target = webhook_url(url)
    with httpx.Client() as client:
        try:
            _api(settings, client).call(
                "setWebhook",
                url=target,
                secret_token=settings.secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop_pending,
            )
        except TelegramApiError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"webhook set: {target}")


@app.command("delete-webhook")
def delete_webhook(
    drop_pending: Annotated[bool, typer.Option(help="Discard updates Telegram is still holding.")] = False,
) -> None:
    """Stop webhook delivery (polling needs this; `poll` does it itself)."""
    with httpx.Client() as client:
        try:
            _api(load_settings(), client).call("deleteWebhook", drop_pending_updates=drop_pending)
        except TelegramApiError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
    typer.echo("webhook deleted")


@app.command("webhook-info")
def webhook_info() -> None:
    """Where Telegram delivers updates, how many wait, and the last delivery error."""
    with httpx.Client() as client:
        try:
            info = _api(load_settings(), client).call("getWebhookInfo")
        except TelegramApiError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
    typer.echo(f"url: {info.get('url') or '(none: updates wait for getUpdates)'}")
    typer.echo(f"pending updates: {info.get('pending_update_count', 0)}")
    if info.get("allowed_updates"):
        typer.echo(f"allowed updates: {', '.join(info['allowed_updates'])}")
    if info.get("last_error_message"):
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(info.get("last_error_date") or 0)))
        typer.echo(f"last error: {info['last_error_message']} ({when} UTC)")


class Poller:
    """getUpdates → local webhook, in order; an update is confirmed to Telegram only once delivered."""

    def __init__(self, settings: TelegramSettings, target: str, client: httpx.Client) -> None:
        self.api = BotApi(settings, client)
        self.secret = settings.secret
        self.target = target
        self.client = client
        self.offset: int | None = None
        self._rasa_down = False

    def forward(self, update: dict[str, Any]) -> bool:
        """True when the Rasa server took the update (or refused it for good); False to retry later."""
        try:
            response = self.client.post(
                self.target, json=update, headers={SECRET_HEADER: self.secret}, timeout=30.0
            )
            problem = f"answered {response.status_code}" if response.status_code >= 500 else None
        except httpx.HTTPError as error:
            problem = f"is not answering ({type(error).__name__})"
        if problem:
            if not self._rasa_down:  # said once per outage, not on every retry
                typer.echo(f"telegram poller: the Rasa server {problem}; retrying", err=True)
            self._rasa_down = True
            return False
        if self._rasa_down:
            typer.echo("telegram poller: the Rasa server is answering again", err=True)
        self._rasa_down = False
        if response.status_code >= 400:
            typer.echo(f"telegram poller: an update was refused ({response.status_code}); skipped", err=True)
        return True

    def batch(self, wait: int = LONG_POLL_SECONDS) -> bool:
        """Fetch and forward one batch; False when an update must be retried after a pause."""
        params: dict[str, Any] = {"timeout": wait, "allowed_updates": list(ALLOWED_UPDATES)}
        if self.offset is not None:
            params["offset"] = self.offset
        updates = self.api.call("getUpdates", http_timeout=wait + 15, **params)
        for update in updates or []:
            if not self.forward(update):
                return False
            self.offset = int(update["update_id"]) + 1
        return True

    def confirm(self) -> None:
        """Tell Telegram the forwarded updates are done (it drops every update below the offset)."""
        if self.offset is not None:
            self.api.call("getUpdates", offset=self.offset, timeout=0, limit=1)

    def run(self, *, once: bool = False) -> bool:
        """Poll until interrupted (or one batch, with `once`); False when stopped by an error."""
        backoff = 1.0
        webhook_deleted = False
        while True:
            try:
                if not webhook_deleted:  # getUpdates is refused while a webhook is set
                    self.api.call("deleteWebhook", drop_pending_updates=False)
                    webhook_deleted = True
                delivered = self.batch(wait=0 if once else LONG_POLL_SECONDS)
                if once:
                    self.confirm()
            except TelegramApiError as error:
                typer.echo(f"telegram poller: {error}", err=True)
                if error.status in (401, 404):  # the token is wrong: retrying will not help
                    typer.echo("telegram poller: stopped; Telegram refused TELEGRAM_BOT_TOKEN", err=True)
                    return False
                delivered = False
            if once:
                return delivered
            if delivered:
                backoff = 1.0
            else:
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)


def _wait_quietly() -> None:
    """Stay up doing nothing: under a process runner, exiting would stop every other process."""
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


@app.command("poll")
def poll(
    target: Annotated[
        str | None, typer.Option(help=f"Where to forward updates [default: SAHAYAK_RASA_URL{WEBHOOK_PATH}].")
    ] = None,
    once: Annotated[
        bool, typer.Option(help="Forward what is waiting now, then exit (scripts, tests).")
    ] = False,
) -> None:
    """Long-poll Telegram and forward updates to the Rasa server: TELEGRAM_MODE=polling, no public URL."""
    settings = load_settings()
    off = None
    if not settings.token:
        off = "TELEGRAM_BOT_TOKEN is empty"
    elif settings.mode != "polling":
        off = f"TELEGRAM_MODE is {settings.mode!r}, so Telegram calls the webhook"
    if off:
        typer.echo(f"telegram poller: off ({off})")
        if not once:
            _wait_quietly()
        return
    require_safe_secrets(
        "The Telegram poller",
        ["TELEGRAM_SECRET_TOKEN"],
        {"TELEGRAM_SECRET_TOKEN": settings.secret, MODE: get_settings().env},
        required=["TELEGRAM_SECRET_TOKEN"],
    )
    url = target or f"{get_settings().rasa_url.rstrip('/')}{WEBHOOK_PATH}"
    typer.echo(f"telegram poller: forwarding updates to {url}")
    with httpx.Client() as client:
        try:
            ok = Poller(settings, url, client).run(once=once)
        except KeyboardInterrupt:
            return
    if not ok:
        if once:
            raise typer.Exit(1)
        _wait_quietly()
