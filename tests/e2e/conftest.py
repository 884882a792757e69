"""The e2e tests share one pair of running servers."""

from collections.abc import Iterator

import pytest

from tests.e2e.servers import Servers, start_servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = start_servers(tmp_path_factory.mktemp("e2e"))
    try:
        yield running
    finally:
        running.stop()
