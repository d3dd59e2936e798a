"""TwiML's verbs read as Twilio reads them: their attributes, defaults, and what it refuses."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urljoin

from directory.models import PHONE_KEYS

from .events import Event, Paused, Played, Said

# What a Gather's input may list.
INPUTS = ("dtmf", "speech")


class BadTwiml(Exception):
    """The app answered something Twilio could not carry out; the call ends with this message."""


@dataclass(frozen=True)
class GatherSettings:
    action: str
    method: str
    num_digits: int | None
    timeout: int
    finish_on_key: str
    action_on_empty_result: bool
    # A <Record>: keys are no input, only a finishing key ends it; its action hears a message.
    max_length: int | None = None
    inputs: tuple[str, ...] = ("dtmf",)
    language: str = "en-US"
    hints: tuple[str, ...] = ()
    speech_timeout: str = ""


def whole_number(verb: ET.Element, name: str, default: int, url: str, *, least: int) -> int:
    raw = verb.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = least - 1
    if value < least:
        raise BadTwiml(f"<{verb.tag} {name}={raw!r}> is not a whole number >= {least} (at {url}).")
    return value


def method_of(verb: ET.Element, url: str) -> str:
    method = verb.get("method", "POST").upper()
    if method not in ("GET", "POST"):
        raise BadTwiml(f"<{verb.tag} method={method!r}> is not GET or POST (at {url}).")
    return method


def spoken_event(verb: ET.Element, url: str) -> Event:
    loop = whole_number(verb, "loop", 1, url, least=0)
    if verb.tag == "Say":
        # SSML inside a Say (<prosody>, <emphasis>...) is heard as its text.
        text = " ".join("".join(verb.itertext()).split())
        return Said(text, verb.get("voice", ""), verb.get("language", ""), loop)
    if verb.tag == "Play":
        return Played((verb.text or "").strip() or f"digits {verb.get('digits', '')}", loop)
    return Paused(whole_number(verb, "length", 1, url, least=0))


def gather_settings(verb: ET.Element, url: str) -> GatherSettings:
    finish_on_key = verb.get("finishOnKey", "#")
    if len(finish_on_key) > 1 or (finish_on_key and finish_on_key not in PHONE_KEYS):
        raise BadTwiml(f"<Gather finishOnKey={finish_on_key!r}> is not one key (at {url}).")
    on_empty = verb.get("actionOnEmptyResult", "false").strip().lower()
    if on_empty not in ("true", "false"):
        raise BadTwiml(f"<Gather actionOnEmptyResult={on_empty!r}> is not true or false.")
    inputs = tuple((verb.get("input") or "dtmf").split())
    if not inputs or any(name not in INPUTS for name in inputs):
        raise BadTwiml(f"<Gather input={verb.get('input')!r}> is not dtmf, speech or both.")
    speech_timeout = (verb.get("speechTimeout") or "").strip()
    if speech_timeout and speech_timeout != "auto" and not speech_timeout.isdigit():
        raise BadTwiml(f"<Gather speechTimeout={speech_timeout!r}> is not auto or seconds.")
    hints = tuple(hint.strip() for hint in (verb.get("hints") or "").split(",") if hint.strip())
    if len(hints) > 500 or any(len(hint) > 100 for hint in hints):
        raise BadTwiml(f"<Gather hints> takes at most 500 hints of 100 characters (at {url}).")
    # Without an action, Twilio sends the keys to the document's own URL.
    return GatherSettings(
        action=urljoin(url, verb.get("action") or url),
        method=method_of(verb, url),
        num_digits=whole_number(verb, "numDigits", 0, url, least=1) or None,
        timeout=whole_number(verb, "timeout", 5, url, least=1),
        finish_on_key=finish_on_key,
        action_on_empty_result=on_empty == "true",
        inputs=inputs,
        language=verb.get("language", "en-US"),
        hints=hints,
        speech_timeout=speech_timeout,
    )


def record_settings(verb: ET.Element, url: str) -> GatherSettings:
    # Twilio's defaults: any key finishes, 5 s of silence ends it, at most an hour.
    finish_on_key = verb.get("finishOnKey", "1234567890*#")
    if any(key not in PHONE_KEYS for key in finish_on_key):
        raise BadTwiml(f"<Record finishOnKey={finish_on_key!r}> is not keys (at {url}).")
    return GatherSettings(
        action=urljoin(url, verb.get("action") or url),
        method=method_of(verb, url),
        num_digits=None,
        timeout=whole_number(verb, "timeout", 5, url, least=0),
        finish_on_key=finish_on_key,
        action_on_empty_result=False,
        max_length=whole_number(verb, "maxLength", 3600, url, least=1),
    )
