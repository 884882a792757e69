"""The action server as we run it: rasa-sdk's app, reachable only by our Rasa server.

rasa-sdk's own command listens on every interface and runs any action for anyone who can reach it, and
its trackers are believed as sent. Here every call to `/webhook` and `/actions` must carry the shared
secret (`Authorization: Bearer $SAHAYAK_ACTION_SERVER_TOKEN`, compared in constant time), bodies are
capped, the server listens on 127.0.0.1 unless configured, and it refuses to start with a published or
empty secret outside development mode. `/health` stays open for load balancers; it says nothing.
"""

import argparse
import logging

from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.actions.identity import drain_deliveries
from bot.settings import Settings, get_settings
from contract.deployment import bearer_matches, require_safe_secrets
from contract.logs import install_log_sanitiser

logger = logging.getLogger(__name__)
ACTIONS_PACKAGE = "bot.actions"
OPEN_PATHS = frozenset({"/health"})


def create_app(settings: Settings, executor: ActionExecutor | None = None) -> Sanic:
    if executor is None:
        executor = ActionExecutor()
        executor.register_package(ACTIONS_PACKAGE)
    app = create_sdk_app(executor, cors_origins=None)  # no browser ever calls the action server
    app.config.REQUEST_MAX_SIZE = settings.action_server_max_body
    token = settings.action_server_token

    @app.on_request
    async def authenticate(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or request.method == "OPTIONS":
            return None
        if bearer_matches(request.headers.get("authorization"), token):
            return None
        logger.warning("action server: refused a call to %s without the shared secret", request.path)
        return response.json({"error": "missing or wrong Authorization"}, status=401)

    @app.after_server_stop
    async def finish_mail(*_: object) -> None:
        await drain_deliveries()  # a code the user was told about still goes out

    return app


def main(argv: list[str] | None = None) -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="Run the action server.")
    parser.add_argument("--host", default=settings.action_server_host)
    parser.add_argument("--port", type=int, default=settings.action_server_port)
    args = parser.parse_args(argv)
    install_log_sanitiser()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s  - %(message)s")
    secrets = ["SAHAYAK_ACTION_SERVER_TOKEN", "SAHAYAK_PROOF_KEY"]
    if settings.identity_jwt_algorithm == "HS256" and settings.identity_jwt_key:
        secrets.append("SAHAYAK_IDENTITY_JWT_KEY")
    require_safe_secrets(
        "The action server",
        secrets,
        settings.secret_values(),
        required=("SAHAYAK_ACTION_SERVER_TOKEN", "SAHAYAK_PROOF_KEY"),
    )
    app = create_app(settings)
    logger.info("action server listening on %s:%d", args.host, args.port)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False)


if __name__ == "__main__":
    main()
