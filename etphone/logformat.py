"""The log's format: one line per record, whatever a caller put in the values it quotes."""

import logging

# Control characters (and Unicode's line and paragraph separators) written as escapes: a value
# Twilio relays from a caller (a CallSid, an ErrorUrl, speech) cannot start a line of its own.
_ESCAPES = {
    code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)] if code != 0x09
} | {0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    return text.translate(_ESCAPES)


class WrongHostInOneLine(logging.Filter):
    """A request for a host not in ALLOWED_HOSTS (a probe, a scanner) is a warning of one line:
    Django logs an error with its traceback, and a load balancer's probe would fill the log."""

    def filter(self, record):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True


class OneLineFormatter(logging.Formatter):
    """Escapes control characters in the message; a traceback after it keeps its lines."""

    def formatMessage(self, record):
        record.message = one_line(record.message)
        return super().formatMessage(record)
