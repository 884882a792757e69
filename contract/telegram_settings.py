"""Telegram's settings and webhook constants: one definition for the Rasa server's connector and the
`sahayak telegram` commands (webhook admin, the poller)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
# The update kinds the connector handles; the webhook and the poller ask Telegram for only these.
ALLOWED_UPDATES = ("message", "callback_query")
# polling: `make run` starts a poller that needs no public URL; webhook: Telegram calls WEBHOOK_PATH.
DEFAULT_MODE = "polling"


@dataclass(frozen=True)
class TelegramSettings:
    token: str = ""
    secret: str = ""
    api_url: str = DEFAULT_API_URL
    mode: str = DEFAULT_MODE

    @classmethod
    def from_env(cls, env: Mapping[str, str], given: Mapping[str, Any] | None = None) -> "TelegramSettings":
        """TELEGRAM_BOT_TOKEN, _SECRET_TOKEN, _API_URL and _MODE; a value in `given` (the connector's
        credentials.yml block: bot_token, secret_token, api_url) takes precedence."""
        given = given or {}

        def pick(key: str, name: str, default: str = "") -> str:
            value = given.get(key)
            return str(value).strip() if value else (env.get(name) or default).strip()

        return cls(
            token=pick("bot_token", "TELEGRAM_BOT_TOKEN"),
            secret=pick("secret_token", "TELEGRAM_SECRET_TOKEN"),
            api_url=pick("api_url", "TELEGRAM_API_URL", DEFAULT_API_URL).rstrip("/") or DEFAULT_API_URL,
            mode=pick("mode", "TELEGRAM_MODE", DEFAULT_MODE).lower(),
        )

    @property
    def open(self) -> bool:
        """Without the token nothing can be sent; without the secret no webhook call can be checked."""
        return bool(self.token and self.secret)
