"""Typed settings, read once from the environment and `.env`."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAHAYAK_", env_file=ROOT / ".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'sahayak.db'}"
    rasa_url: str = "http://localhost:5005"
    transcript_turns: int = 10


@lru_cache
def get_settings() -> Settings:
    return Settings()
