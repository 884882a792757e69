"""A stand-in portal page that embeds the help widget with one script tag (`sahayak portal`).

It lets you pick "not signed in" or a demo identity and then, like the real portal, puts a token signed
with the configured key (`SAHAYAK_IDENTITY_JWT_KEY`) on the page for the widget to pass along. It only
ever signs for the demo identities; still, it signs with the real key, so it is a development tool: it
runs only in development mode (SAHAYAK_ENV=development) and listens on 127.0.0.1 by default.
"""

import html
import logging
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from string import Template
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import parse_qs, urlsplit

import typer

from bot.settings import ROOT, get_settings

if TYPE_CHECKING:
    from bot.records.demo import DemoIdentity
    from bot.services import Services

logger = logging.getLogger(__name__)

PAGE_TEMPLATE = ROOT / "widget" / "demo.html"
WIDGET_PATH = "/webhooks/widget/widget.js"
TOKEN_MINUTES = 60

TEXT = {
    "en": {
        "page_title": "iGOT Karmayogi: my learning (demo)",
        "nav_learn": "My learning",
        "nav_plan": "Annual training plan",
        "nav_karma": "Karma Points",
        "signed_out": "Not signed in",
        "signed_in": "Signed in as {name}",
        "heading_out": "Welcome to iGOT Karmayogi",
        "heading_in": "Welcome back, {name}",
        "intro": "Learn anytime, anywhere: courses, assessments and certificates for every civil servant. "
        "Questions about registration, OTPs, your organisation or certificates? Ask the help assistant.",
        "plan_title": "Your annual training plan",
        "plan_text": "Your organisation prescribes the mandatory courses for this cycle. Ask the help "
        "assistant how many you have finished and what is still pending.",
        "karma_title": "Karma Points",
        "karma_text": "Points for finishing courses, more for those in your plan. The assistant can show "
        "your total and recent credits.",
    },
    "hi": {
        "page_title": "iGOT कर्मयोगी: मेरी पढ़ाई (डेमो)",
        "nav_learn": "मेरी पढ़ाई",
        "nav_plan": "वार्षिक प्रशिक्षण योजना",
        "nav_karma": "कर्म पॉइंट्स",
        "signed_out": "साइन इन नहीं",
        "signed_in": "{name} के रूप में साइन इन",
        "heading_out": "iGOT कर्मयोगी में आपका स्वागत है",
        "heading_in": "फिर से स्वागत है, {name}",
        "intro": "कभी भी, कहीं भी सीखें: हर लोक सेवक के लिए कोर्स, मूल्यांकन और सर्टिफ़िकेट। पंजीकरण, "
        "OTP, संगठन या सर्टिफ़िकेट के बारे में सवाल? सहायक से पूछिए।",
        "plan_title": "आपकी वार्षिक प्रशिक्षण योजना",
        "plan_text": "आपका संगठन इस चक्र के अनिवार्य कोर्स तय करता है। सहायक से पूछिए कि आपने कितने "
        "पूरे किए और कौन-से बाकी हैं।",
        "karma_title": "कर्म पॉइंट्स",
        "karma_text": "कोर्स पूरे करने पर पॉइंट्स मिलते हैं, योजना वाले कोर्स पर ज़्यादा। सहायक आपका कुल "
        "और हाल के पॉइंट्स बता सकता है।",
    },
}


class TokenUnavailable(Exception):
    """Why no portal token can be signed here; the message is safe to show."""


def sign_portal_token(email: str, *, minutes: int = TOKEN_MINUTES, services: "Services | None" = None) -> str:
    """A portal identity token for the employee with this e-mail, signed the way the portal signs it."""
    import jwt

    from bot.services import get_services

    services = services or get_services()
    settings = services.settings
    if settings.identity_jwt_algorithm != "HS256" or not settings.identity_jwt_key:
        raise TokenUnavailable("only an HS256 secret can sign here (SAHAYAK_IDENTITY_JWT_KEY)")
    employee = services.records().find_by_email(email)
    if employee is None:
        raise TokenUnavailable("no employee has that e-mail; `sahayak demo load` lists the demo identities")
    claims: dict[str, object] = {
        "employee_id": employee.id,
        "exp": datetime.now(UTC) + timedelta(minutes=minutes),
    }
    if settings.identity_jwt_audience:
        claims["aud"] = settings.identity_jwt_audience
    if settings.identity_jwt_issuer:
        claims["iss"] = settings.identity_jwt_issuer
    return jwt.encode(claims, settings.identity_jwt_key, algorithm="HS256")


def demo_identity(key: str | None) -> "DemoIdentity | None":
    """The demo identity chosen on the page, by its situation (e.g. "on_track") or e-mail."""
    from bot.records.demo import DEMO_IDENTITIES

    wanted = (key or "").strip().lower()
    return next((i for i in DEMO_IDENTITIES if wanted in (i.situation, i.email.lower())), None)


def widget_tag(rasa_url: str, *, lang: str, token: str | None) -> str:
    """The one tag a portal page needs."""
    server = rasa_url.rstrip("/")
    attrs = [("src", server + WIDGET_PATH), ("data-server", server), ("data-lang", lang)]
    if token:
        attrs.append(("data-token", token))
    rendered = " ".join(f'{name}="{html.escape(value)}"' for name, value in attrs)
    return f"<script {rendered} defer></script>"


def render_page(
    rasa_url: str,
    *,
    identity: "DemoIdentity | None",
    token: str | None,
    lang: str,
    problem: str | None = None,
) -> str:
    from bot.records.demo import DEMO_IDENTITIES

    lang = lang if lang in TEXT else "en"
    text = TEXT[lang]
    name = identity.name if identity else None
    options = ['<option value="">Not signed in</option>'] + [
        f'<option value="{html.escape(i.situation)}"{" selected" if i is identity else ""}>'
        f"{html.escape(i.name)} ({html.escape(i.email)}): {html.escape(i.description)}</option>"
        for i in DEMO_IDENTITIES
    ]
    languages = [
        f'<option value="{code}"{" selected" if code == lang else ""}>{label}</option>'
        for code, label in (("en", "English"), ("hi", "हिंदी"))
    ]
    values = {key: html.escape(value) for key, value in text.items()}
    values.update(
        html_lang=lang,
        account=html.escape(text["signed_in"].format(name=name) if name else text["signed_out"]),
        heading=html.escape(text["heading_in"].format(name=name) if name else text["heading_out"]),
        identity_options="".join(options),
        language_options="".join(languages),
        problem=f'<p class="error" role="alert">{html.escape(problem)}</p>' if problem else "",
        widget_script=widget_tag(rasa_url, lang=lang, token=token),
    )
    return Template(PAGE_TEMPLATE.read_text(encoding="utf-8")).substitute(values)


def page_for(rasa_url: str, query: dict[str, list[str]]) -> str:
    """The page for a request's query: ?as=<situation or e-mail>&lang=en|hi."""
    identity = demo_identity((query.get("as") or [""])[0])
    lang = (query.get("lang") or ["en"])[0]
    token, problem = None, None
    if identity is not None:
        try:
            token = sign_portal_token(identity.email)
        except TokenUnavailable as error:
            problem = f"Cannot sign in as {identity.name}: {error}."
        except Exception as error:  # the database is down or not prepared: say so on the page
            logger.error("signing a demo token failed: %s", type(error).__name__)
            problem = f"Cannot sign in as {identity.name}: the database refused ({type(error).__name__})."
        if problem:
            identity = None
    return render_page(rasa_url, identity=identity, token=token, lang=lang, problem=problem)


def make_server(host: str, port: int, rasa_url: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/":
                self.send_error(404)
                return
            body = page_for(rasa_url, parse_qs(url.query)).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")  # the page holds a signed token
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines carry the chosen identity; nothing worth logging

    return ThreadingHTTPServer((host, port), Handler)


def start_in_thread(host: str, port: int, rasa_url: str) -> ThreadingHTTPServer:
    """The portal page served from a daemon thread (tests); `shutdown()` stops it."""
    server = make_server(host, port, rasa_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def serve(
    port: Annotated[int, typer.Option(help="Port of the demo page.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    rasa_url: Annotated[
        str | None,
        typer.Option(help="The Rasa server as the browser reaches it [default: SAHAYAK_RASA_URL]."),
    ] = None,
) -> None:
    """Serve a demo portal page that embeds the help widget, signed in as a demo identity or not."""
    settings = get_settings()
    if not settings.development:
        typer.echo(
            "error: the demo portal page signs identity tokens for demo employees, so it runs only in "
            "development mode (SAHAYAK_ENV=development; make run sets it in a new .env)",
            err=True,
        )
        raise typer.Exit(1)
    rasa = (rasa_url or settings.rasa_url).rstrip("/")
    if not settings.identity_jwt_key:
        typer.echo(
            "warning: SAHAYAK_IDENTITY_JWT_KEY is empty; the page can only be 'not signed in'", err=True
        )
    try:
        server = make_server(host, port, rasa)
    except OSError as error:
        typer.echo(f"error: cannot listen on {host}:{port}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    typer.echo(f"Demo portal page with the help widget: http://{shown}:{port}/  (widget from {rasa})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
