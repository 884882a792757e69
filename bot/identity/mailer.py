"""Sending mail: the one-time sign-in codes. SMTP in production, a plain outbox file in development.

Errors never carry the recipient: SMTP exceptions can quote addresses, so they are replaced by
`MailUnavailable` with only the kind of failure in it.
"""

import smtplib
import ssl as ssl_lib
import threading
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

OUTBOX_SEPARATOR = "=" * 30 + " message " + "=" * 30


class MailUnavailable(Exception):
    """The mail could not be handed over; the user is told to try again later."""


class Mailer(Protocol):
    def send(self, *, to: str, subject: str, body: str) -> None:
        """Hand one plain-text message over for delivery, or raise `MailUnavailable`."""
        ...


def sign_in_code_message(code: str, *, minutes: int) -> tuple[str, str]:
    """Subject and body of the sign-in code mail, in English and Hindi. The code stays out of the subject
    so that it does not show in notification previews."""
    subject = "Your Karmayogi Sahayak sign-in code / कर्मयोगी सहायक साइन-इन कोड"
    body = (
        f"Your sign-in code for Karmayogi Sahayak is: {code}\n"
        f"It is valid for {minutes} minutes and can be used once.\n"
        "If you did not ask for this code, please ignore this e-mail; nothing will change.\n"
        "\n"
        f"कर्मयोगी सहायक के लिए आपका साइन-इन कोड है: {code}\n"
        f"यह {minutes} मिनट तक मान्य है और केवल एक बार उपयोग किया जा सकता है।\n"
        "यदि आपने यह कोड नहीं माँगा है, तो कृपया इस ई-मेल को अनदेखा करें; कुछ भी नहीं बदलेगा।\n"
    )
    return subject, body


def build_message(*, sender: str, to: str, subject: str, body: str, eight_bit: bool = False) -> EmailMessage:
    """A plain-text UTF-8 message. Header values with line breaks are refused (no header injection).

    For SMTP the body is transfer-encoded (any relay accepts it); `eight_bit` keeps it readable as is.
    """
    for value in (sender, to, subject):
        if "\r" in value or "\n" in value:
            raise ValueError("mail header values must be on one line")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="sahayak.invalid")
    message.set_content(body, cte="8bit" if eight_bit else None)
    return message


class SmtpMailer:
    """Mail through an SMTP server: implicit TLS (`ssl`), STARTTLS, or plain (a local relay)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        starttls: bool,
        ssl: bool,
        username: str | None,
        password: str | None,
        sender: str,
        timeout: float = 10,
    ) -> None:
        self.host = host
        self.port = port
        self.starttls = starttls
        self.ssl = ssl
        self.username = username
        self.password = password
        self.sender = sender
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        context = ssl_lib.create_default_context()
        if self.ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            try:
                client.starttls(context=context)
            except BaseException:
                client.close()
                raise
        return client

    def send(self, *, to: str, subject: str, body: str) -> None:
        message = build_message(sender=self.sender, to=to, subject=subject, body=body)
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password or "")
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise MailUnavailable(f"mail server unavailable ({type(error).__name__})") from None


class OutboxMailer:
    """Development mail: every message is appended to one text file instead of being sent."""

    def __init__(self, path: Path | str, *, sender: str = "Karmayogi Sahayak <no-reply@sahayak.invalid>"):
        self.path = Path(path)
        self.sender = sender
        self._lock = threading.Lock()

    def send(self, *, to: str, subject: str, body: str) -> None:
        # 8-bit UTF-8 throughout, so the file reads as plain text (Hindi included), not base64.
        message = build_message(sender=self.sender, to=to, subject=subject, body=body, eight_bit=True)
        raw = message.as_bytes(policy=SMTPUTF8.clone(linesep="\n")).rstrip()
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("ab") as outbox:
                    outbox.write(f"{OUTBOX_SEPARATOR}\n".encode() + raw + b"\n\n")
        except OSError as error:
            raise MailUnavailable(f"outbox not writable ({type(error).__name__})") from None
