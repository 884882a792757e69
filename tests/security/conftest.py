"""The action tests' fixtures: the domain, and services on an in-memory database and the test
knowledge base for every test here that does not ask for a real database."""

from tests.actions.conftest import domain, offline_services

__all__ = ["domain", "offline_services"]
