"""Every log line either process writes passes through here: no personal data, no forged lines.

A log record is made by code we do not own too (Rasa warns about a message it could not parse, word for
word), so the sanitiser is installed as the record factory: each record's message is masked and put on
one line as it is created, whichever logger or handler it goes to. Python warnings are routed through
logging first, so they pass the same way.
"""

import logging
import re
from typing import Any

from contract.privacy import mask_personal_data

MAX_MESSAGE_CHARS = 4000
# A URL's ?token=… or an Authorization header quoted in a message: credentials, never logged.
_CREDENTIALS = re.compile(
    r"(?i)\b((?:auth_)?token|key|secret|password)=([^&\s\"']+)|\b(Bearer)\s+[\w.~+/=-]+"
)
_ESCAPES = {
    "\n": "\\n",
    "\r": "\\r",
    "\x1b": "\\x1b",
    "\x85": "\\x85",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def one_line(text: str) -> str:
    """`text` with line breaks and terminal escapes written out, so it cannot start a line of its own."""
    return "".join(_ESCAPES.get(c, c) for c in text)


def _hide_credentials(text: str) -> str:
    return _CREDENTIALS.sub(lambda m: f"{m.group(1)}=***" if m.group(1) else f"{m.group(3)} ***", text)


def safe_for_log(text: str) -> str:
    """Masked, free of credentials, on one line, and bounded."""
    text = one_line(_hide_credentials(mask_personal_data(text)))
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "…"


def _sanitised(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: keep the template, never the arguments
        message = str(record.msg)
    record.msg, record.args = safe_for_log(message), None
    if record.exc_info and not record.exc_text:
        # The traceback keeps its lines; what it quotes from user input is masked.
        record.exc_text = _hide_credentials(
            mask_personal_data(logging.Formatter().formatException(record.exc_info))
        )
        record.exc_info = None
    return record


_installed = False


def install_log_sanitiser() -> None:
    """Make every log record of this process masked and single-line (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _sanitised(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    logging.captureWarnings(True)
    _installed = True
