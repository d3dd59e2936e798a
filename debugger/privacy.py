"""What in a report is a caller's: the parameters of Twilio's request that hold their number
(or name) or their words. Staff see them only with the call log's permissions for them."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from directory.fields import masked

# Twilio's parameters naming a caller (or whom a call is to) and what a caller said.
NUMBERS = frozenset({"From", "To", "Caller", "Called", "ForwardedFrom", "CallerName"})
WORDS = frozenset({"SpeechResult", "UnstableSpeechResult"})
PRIVATE = NUMBERS | WORDS
# A number in a text (an error message, a URL): +19295550123, or %2B19295550123 in a URL.
NUMBER_IN_TEXT = re.compile(r"(?:\+|%2B)[1-9]\d{2,10}(\d{4})", re.IGNORECASE)
# A private parameter in a URL's query, wherever a text holds one.
PARAMETER_IN_TEXT = re.compile(r"(?<=[?&])(" + "|".join(sorted(PRIVATE)) + r")=[^&\s\"']*")

HIDDEN = "•••"


def without_private(url: str) -> str:
    """A URL without the private parameters of its query (Twilio's GET requests carry them)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in query if name not in PRIVATE]
    return parts._replace(query=urlencode(kept)).geturl()


def redacted(value, *, numbers: bool, words: bool):
    """A report's JSON as a login may see it: callers' numbers masked unless numbers, their
    words hidden unless words, wherever they are (a parameter, a URL, a message)."""
    if isinstance(value, dict):
        return {
            name: _hidden(name, item, numbers=numbers, words=words)
            if isinstance(item, str) and name in PRIVATE
            else redacted(item, numbers=numbers, words=words)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [redacted(item, numbers=numbers, words=words) for item in value]
    if isinstance(value, str):
        return _text(value, numbers=numbers, words=words)
    return value


def _hidden(name: str, value: str, *, numbers: bool, words: bool) -> str:
    if name in NUMBERS:
        return value if numbers else masked(value)
    return value if words else HIDDEN


def _text(text: str, *, numbers: bool, words: bool) -> str:
    def parameter(match):
        name, value = match[1], match[0][len(match[1]) + 1 :]
        return f"{name}={_hidden(name, value, numbers=numbers, words=words)}"

    if not (numbers and words):
        text = PARAMETER_IN_TEXT.sub(parameter, text)
    if not numbers:
        text = NUMBER_IN_TEXT.sub(lambda match: f"{HIDDEN}{match[1]}", text)
    return text
