"""Typed settings, read once from the environment and `.env`."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAHAYAK_", env_file=ROOT / ".env", extra="ignore")

    database_url: str = f"sqlite:///{ROOT / 'var' / 'sahayak.db'}"
    rasa_url: str = "http://localhost:5005"
    transcript_turns: int = 10
    # Knowledge search. Any sentence-transformers model name or folder; the default is bundled.
    embedding_model: str = "all-MiniLM-L6-v2"
    kb_index_dir: Path = ROOT / "var" / "kb-index"
    kb_index_type: Literal["flat", "hnsw"] = "flat"
    # Hindi and Hinglish words with their English meaning, so the English-only model can read a question.
    kb_glossary: Path = ROOT / "knowledge" / "glossary.yml"
    # Below this fused score the bot says it is not sure (calibrated by `python -m bench.kb_eval`).
    kb_min_score: float = 2.04


@lru_cache
def get_settings() -> Settings:
    return Settings()
