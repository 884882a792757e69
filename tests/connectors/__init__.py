"""Tests of connectors/ with the real Rasa classes: run by the Rasa environment (Python 3.10),
`.venv-rasa/bin/pytest --noconftest tests/connectors` (make unit does), never by the 3.11 one."""
