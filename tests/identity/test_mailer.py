"""Mail delivery against a real local SMTP server (aiosmtpd), and the development outbox file."""

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.identity.mailer import MailUnavailable, OutboxMailer, SmtpMailer, sign_in_code_message

SENDER = "Karmayogi Sahayak <no-reply@sahayak.invalid>"
TO = "anita.sharma@nic.in"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def message(self, index: int = -1) -> EmailMessage:
        parsed = message_from_bytes(self.envelopes[index].original_content, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"bot", b"pw")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


# aiosmtpd rightly warns about AUTH without TLS; the tests talk to it on the loopback interface only.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def smtp_with_auth() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    yield inbox, port
    controller.stop()


def mailer(port: int, **options: Any) -> SmtpMailer:
    settings: dict[str, Any] = {"starttls": False, "ssl": False, "username": None, "password": None}
    settings.update(options)
    return SmtpMailer("127.0.0.1", port, sender=SENDER, timeout=5, **settings)


def test_smtp_mailer_delivers_the_code(smtp):
    inbox, port = smtp
    subject, body = sign_in_code_message("482913", minutes=10)
    mailer(port).send(to=TO, subject=subject, body=body)

    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == [TO]
    assert envelope.mail_from == "no-reply@sahayak.invalid"
    message = inbox.message()
    assert message["To"] == TO
    assert message["Subject"] == subject
    assert "482913" not in message["Subject"]
    text = message.get_content()
    assert "482913" in text
    assert "10 minutes" in text and "10 मिनट" in text  # English and Hindi
    assert "ignore" in text


def test_smtp_mailer_logs_in_when_given_credentials(smtp_with_auth):
    inbox, port = smtp_with_auth
    mailer(port, username="bot", password="pw").send(to=TO, subject="s", body="123456")
    assert [e.rcpt_tos for e in inbox.envelopes] == [[TO]]


def test_smtp_refusing_the_login_is_mail_unavailable(smtp_with_auth):
    inbox, port = smtp_with_auth
    with pytest.raises(MailUnavailable) as raised:
        mailer(port, username="bot", password="wrong").send(to=TO, subject="s", body="123456")
    assert inbox.envelopes == []
    assert "@" not in str(raised.value) and raised.value.__cause__ is None


def test_smtp_down_is_mail_unavailable():
    with pytest.raises(MailUnavailable) as raised:
        mailer(free_port()).send(to=TO, subject="s", body="123456")
    assert TO not in str(raised.value)


def test_starttls_not_offered_is_mail_unavailable(smtp):
    inbox, port = smtp
    with pytest.raises(MailUnavailable):
        mailer(port, starttls=True).send(to=TO, subject="s", body="123456")
    assert inbox.envelopes == []


def test_silent_server_times_out():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never greets
        port = silent.getsockname()[1]
        slow = SmtpMailer(
            "127.0.0.1",
            port,
            starttls=False,
            ssl=False,
            username=None,
            password=None,
            sender=SENDER,
            timeout=0.5,
        )
        with pytest.raises(MailUnavailable):
            slow.send(to=TO, subject="s", body="123456")


def test_header_injection_is_refused(smtp):
    inbox, port = smtp
    with pytest.raises(ValueError):
        mailer(port).send(to=f"{TO}\r\nBcc: someone@nic.in", subject="s", body="b")
    with pytest.raises(ValueError):
        mailer(port).send(to=TO, subject="s\nBcc: someone@nic.in", body="b")
    assert inbox.envelopes == []


def test_outbox_mailer_appends_readable_messages(tmp_path: Path):
    path = tmp_path / "var" / "outbox.txt"
    outbox = OutboxMailer(path)
    subject, body = sign_in_code_message("482913", minutes=10)
    outbox.send(to=TO, subject=subject, body=body)
    outbox.send(to="ravi.kumar@gov.in", subject=subject, body=sign_in_code_message("771204", minutes=10)[1])

    text = path.read_text(encoding="utf-8")
    parts = [part for part in text.split("=" * 30 + " message " + "=" * 30 + "\n") if part.strip()]
    assert len(parts) == 2
    first = message_from_bytes(parts[0].encode(), policy=default)
    assert first["To"] == TO and first["Subject"] == subject
    assert "482913" in parts[0] and "771204" in parts[1]
    assert "कर्मयोगी सहायक" in parts[0]  # plain UTF-8, not base64
    assert "To: ravi.kumar@gov.in" in parts[1]


def test_outbox_not_writable_is_mail_unavailable(tmp_path: Path):
    with pytest.raises(MailUnavailable):
        OutboxMailer(tmp_path).send(to=TO, subject="s", body="b")  # a folder, not a file
