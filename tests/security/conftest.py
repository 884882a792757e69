"""The action tests' domain fixture, for the security tests that run actions from tracker fixtures."""

from tests.actions.conftest import domain

__all__ = ["domain"]
