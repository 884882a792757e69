"""Typed settings, read once from the environment and `.env`."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from contract.deployment import DEVELOPMENT, MODE

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAHAYAK_", env_file=ROOT / ".env", extra="ignore")

    # "development" accepts published secrets (with a warning), an open REST channel, the demo portal
    # page and the outbox file for mail; anything else refuses them (contract/deployment.py).
    env: str = "production"
    # The action server: where it listens, the secret the Rasa server must send, and the largest call.
    action_server_host: str = "127.0.0.1"
    action_server_port: int = 5055
    action_server_token: str = ""
    action_server_max_body: int = 2 * 1024 * 1024
    # The key the connectors sign channel proofs with (a phone number WhatsApp or Telegram verified).
    proof_key: str = ""

    # The helpdesk console (`sahayak console`): where it listens, the key that signs its session cookies
    # and form tokens, and how long a sign-in lasts.
    console_host: str = "127.0.0.1"
    console_port: int = 8001
    console_secret: str = ""
    console_session_hours: int = 10
    console_max_body: int = 64 * 1024

    # Sent by `sahayak chat` when set: outside development the REST channel answers only with it.
    rest_token: str = ""

    # Rasa's HTTP API (conversation trackers, injecting events), for `sahayak chat` and the helpdesk.
    rasa_api_token: str = Field(default="", validation_alias="RASA_API_TOKEN")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'sahayak.db'}"
    # Seconds: a database that stops answering fails the turn instead of holding it.
    database_connect_timeout: int = 5
    database_statement_timeout: int = 10
    rasa_url: str = "http://localhost:5005"
    transcript_turns: int = 10
    # Asking for a person again within this many hours of an escalation still open files no second case.
    escalation_repeat_hours: int = 24
    # Knowledge search. Any sentence-transformers model name or folder; the default is bundled.
    embedding_model: str = "all-MiniLM-L6-v2"
    kb_index_dir: Path = ROOT / "var" / "kb-index"
    kb_index_type: Literal["flat", "hnsw"] = "flat"
    # Hindi and Hinglish words with their English meaning, so the English-only model can read a question.
    kb_glossary: Path = ROOT / "knowledge" / "glossary.yml"
    # Questions each passage answers, matched as well as the passage itself (bot/knowledge/examples.py).
    kb_examples: Path = ROOT / "knowledge" / "examples"
    # Subjects next to ours that the sources do not cover (pay, leave, grades): "not sure" even on a hit.
    kb_outside: Path = ROOT / "knowledge" / "outside.yml"
    # Below this fused score the bot says it is not sure (chosen end to end on the blind dev half,
    # bench/blind_eval.py; `python -m bench.kb_eval` prints a calibration on the score alone).
    kb_min_score: float = 2.54

    # Learner records: the SQL tables (demo data or a CSV import) or the Karmayogi API.
    records_source: Literal["sql", "http"] = "sql"
    records_api_url: str = ""
    records_api_key: str = ""
    learning_cycle: str = "2025-26"
    # Where a learner downloads an issued certificate; {certificate_id} is filled in.
    certificate_url: str = "https://igotkarmayogi.gov.in/certificates/{certificate_id}"
    # A course's page on the portal, linked from the progress card; {code} is filled in.
    course_url: str = "https://igotkarmayogi.gov.in/app/toc/{code}/overview"

    # Identity. The portal widget sends a JWT signed with this HS256 secret, or verifiable with this
    # RS256 public key (PEM); an empty key refuses every token.
    identity_jwt_key: str = ""
    identity_jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    identity_jwt_audience: str | None = None
    identity_jwt_issuer: str | None = None
    # One-time codes by e-mail. With no SMTP host, mail goes to the outbox file (development).
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_sender: str = "Karmayogi Sahayak <no-reply@sahayak.invalid>"
    mail_outbox: Path = ROOT / "var" / "outbox.txt"

    @property
    def development(self) -> bool:
        return self.env.strip().lower() == DEVELOPMENT

    def secret_values(self) -> dict[str, str]:
        """The settings `contract.deployment.require_safe_secrets` checks, under their variable names."""
        return {
            MODE: self.env,
            "SAHAYAK_ACTION_SERVER_TOKEN": self.action_server_token,
            "SAHAYAK_PROOF_KEY": self.proof_key,
            "SAHAYAK_IDENTITY_JWT_KEY": self.identity_jwt_key,
            "SAHAYAK_CONSOLE_SECRET": self.console_secret,
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()


def environment() -> dict[str, str]:
    """The environment as our processes see it: `.env`, overridden by the real environment. For settings
    that `contract` defines for both processes (Telegram's), read the same way as the typed ones."""
    from_file = {key: value for key, value in dotenv_values(ROOT / ".env").items() if value is not None}
    return {**from_file, **os.environ}
