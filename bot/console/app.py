"""The console's web app: sign-in, signed session cookies, form tokens, and the pages.

Starlette's signed-cookie sessions hold only the account id and its session version (bumped when the
password changes or the account is disabled); fastapi-csrf-protect puts a signed token in a cookie
and the same token in every form, and every POST must bring both. Session and token cookies are
SameSite=Strict, HttpOnly, and Secure outside development.
"""

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_csrf_protect import CsrfProtect
from fastapi_csrf_protect.exceptions import CsrfProtectError
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.db import as_utc, utcnow
from bot.helpdesk import staff as accounts
from bot.helpdesk.escalations import waiting_queue
from bot.helpdesk.tables import Staff
from bot.settings import Settings
from contract.metadata import client_network
from contract.privacy import mask_personal_data

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "sahayak_console"
CSRF_FIELD = "csrf_token"
QUEUE_LIMIT = 500
REASONS = {
    "user_request": "asked for a person",
    "otp_not_received": "OTP not received",
    "certificate_overdue": "certificate overdue",
    "organisation_not_found": "organisation missing",
    "not_understood": "not understood",
}
CHANNELS = {"widget": "Portal widget", "telegram": "Telegram", "whatsapp": "WhatsApp", "rest": "REST"}
LANGUAGES = {"en": "English", "hi": "Hindi", "hinglish": "Hinglish"}
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


class SignInNeeded(Exception):
    """The request has no valid staff session: pages send the browser to the sign-in form."""


class BodyTooLarge(Exception):
    pass


class Limits:
    """Refuses a request body over `max_body` bytes before any route reads it, and sets the security
    headers on every response."""

    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await PlainTextResponse("Request too large.", status_code=413)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise BodyTooLarge
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                present = {name.lower() for name, _ in message["headers"]}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        message["headers"].append((name.encode(), value.encode()))
            await send(message)

        try:
            await self.app(scope, limited, with_headers)
        except BodyTooLarge:
            await PlainTextResponse("Request too large.", status_code=413)(scope, receive, send)


def waited(since: datetime, now: datetime) -> str:
    """ "4 min", "2 h 05 min": how long a conversation has waited."""
    minutes = max(int((now - as_utc(since)).total_seconds() // 60), 0)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def last_user_line(summary: str) -> str:
    """The user's latest message in an escalation's transcript summary (already masked when stored)."""
    said = [line[len("user: ") :] for line in summary.splitlines() if line.startswith("user: ")]
    return mask_personal_data(said[-1]) if said else ""


def create_app(settings: Settings, sessions: sessionmaker[Session]) -> FastAPI:
    secure = not settings.development

    # The library keeps its settings on the class: one console per process.
    csrf_settings: list[tuple[str, Any]] = [
        ("secret_key", settings.console_secret),
        ("token_location", "body"),
        ("token_key", CSRF_FIELD),
        ("cookie_key", "sahayak_console_csrf"),
        ("cookie_samesite", "strict"),
        ("cookie_secure", secure),
        ("max_age", settings.console_session_hours * 3600),
    ]
    CsrfProtect.load_config(lambda: csrf_settings)

    app = FastAPI(title="Karmayogi Sahayak helpdesk", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.console_secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.console_session_hours * 3600,
        same_site="strict",
        https_only=secure,
    )
    app.add_middleware(Limits, max_body=settings.console_max_body)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        csrf = CsrfProtect()
        token, signed = csrf.generate_csrf_tokens()
        response = templates.TemplateResponse(
            request, name, {"csrf_token": token, "csrf_field": CSRF_FIELD, **context}, status_code=status
        )
        csrf.set_csrf_cookie(signed, response)
        return response

    def current_staff(request: Request) -> Staff:
        staff_id, version = request.session.get("staff"), request.session.get("version")
        if not isinstance(staff_id, int) or not isinstance(version, int):
            raise SignInNeeded
        staff = accounts.find_staff(sessions, staff_id=staff_id, session_version=version)
        if staff is None:
            request.session.clear()
            raise SignInNeeded
        return staff

    SignedIn = Annotated[Staff, Depends(current_staff)]

    async def checked_form(request: Request) -> dict[str, str]:
        """The posted form, once its token matches the cookie's; a post without one is refused."""
        form = await request.form()
        await CsrfProtect().validate_csrf(request)
        return {key: value for key, value in form.items() if isinstance(value, str)}

    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(request: Request, _: SignInNeeded) -> Response:
        if request.method != "GET":
            return PlainTextResponse("Sign in first.", status_code=401)
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(CsrfProtectError)
    async def csrf_refused(request: Request, _: CsrfProtectError) -> Response:
        return PlainTextResponse(
            "This form has expired or did not come from the console. Reload the page and try again.",
            status_code=403,
        )

    @app.get("/healthz", include_in_schema=False)
    async def health() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/sign-in", response_class=HTMLResponse)
    async def sign_in_form(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "sign_in.html", next=safe_next(next))

    @app.post("/sign-in", response_class=HTMLResponse)
    async def sign_in(request: Request, form: Annotated[dict[str, str], Depends(checked_form)]) -> Response:
        username, password = form.get("username", ""), form.get("password", "")
        network = client_network(settings.console_secret, request.client.host if request.client else None)
        result = accounts.sign_in(
            sessions, username=username, password=password, network=network or "unknown"
        )
        if result.status == "ok" and result.staff is not None:
            request.session.clear()  # no fixation: a new session for the account
            request.session.update({"staff": result.staff.id, "version": result.staff.session_version})
            return RedirectResponse(safe_next(form.get("next", "/")), status_code=303)
        problem = (
            f"Too many attempts. Try again in {max(result.retry_after // 60, 1)} minute(s)."
            if result.status == "throttled"
            else "That username and password do not match an account."
        )
        return page(
            request,
            "sign_in.html",
            status=429 if result.status == "throttled" else 401,
            problem=problem,
            username=username[:64],
            next=safe_next(form.get("next", "/")),
        )

    @app.post("/sign-out")
    async def sign_out(
        request: Request, staff: SignedIn, form: Annotated[dict[str, str], Depends(checked_form)]
    ) -> Response:
        accounts.record_action(sessions, staff_id=staff.id, action="sign_out")
        request.session.clear()
        return RedirectResponse("/sign-in", status_code=303)

    @app.get("/", response_class=HTMLResponse)
    async def queue(request: Request, staff: SignedIn) -> HTMLResponse:
        now = utcnow()
        rows = [
            {
                "reference": e.reference,
                "waited": waited(e.created_at, now),
                "language": LANGUAGES.get(e.language, e.language),
                "channel": CHANNELS.get(e.channel, e.channel),
                "reason": REASONS.get(e.reason, e.reason.replace("_", " ")),
                "last": last_user_line(e.summary),
            }
            for e in waiting_queue(sessions, limit=QUEUE_LIMIT)
        ]
        return page(request, "queue.html", staff=staff, rows=rows)

    return app


def safe_next(value: str) -> str:
    """Where to go after signing in: a path of this console only, never another site."""
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"
