"""REST turn latency, p50 and p95, of a greet turn and of a form turn, in the same run.

A greet turn is NLU plus a rule and the language action; a form turn adds the form's
validation action and its database-free checks. Run with `make bench`.
"""

import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from tests.e2e.servers import Servers, start_servers

ROUNDS = 60
WARMUP = 5


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def measure(turn: Callable[[int], None]) -> list[float]:
    for i in range(WARMUP):
        turn(-1 - i)
    samples = []
    for i in range(ROUNDS):
        start = time.perf_counter()
        turn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    with tempfile.TemporaryDirectory() as workdir:
        servers: Servers = start_servers(Path(workdir))
        try:
            run = uuid.uuid4().hex[:6]

            def greet(i: int) -> None:
                servers.say(f"bench-greet-{run}-{i}", "hello")

            form_users = [f"bench-form-{run}-{i}" for i in range(-WARMUP, ROUNDS)]
            for user in form_users:
                servers.say(user, "/organisation_not_found")

            def form(i: int) -> None:
                servers.say(f"bench-form-{run}-{i}", "Anita Verma")

            results = {"greet turn": measure(greet), "form turn": measure(form)}
        finally:
            servers.stop()
    print(f"REST turn latency over {ROUNDS} turns each (ms)")
    for name, samples in results.items():
        print(f"  {name:<11} p50 {percentile(samples, 50):7.1f}   p95 {percentile(samples, 95):7.1f}")
    ratio = percentile(results["form turn"], 50) / percentile(results["greet turn"], 50)
    print(f"  form turn / greet turn (p50): {ratio:.2f}x")


if __name__ == "__main__":
    main()
