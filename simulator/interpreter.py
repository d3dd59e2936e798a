"""A stand-in for Twilio's voice engine: walks one call through TwiML webhooks, verb by verb."""

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin

from directory.models import PHONE_KEYS

# Twilio sends the account's SID; a simulated call belongs to no account, and is not logged.
from twilio_api.client import SIMULATED_ACCOUNT_SID

DIAL_OUTCOMES = ("completed", "busy", "no-answer", "failed")
# Twilio's Confidence for words said without one: sure, as a clear line would be.
DEFAULT_CONFIDENCE = 0.9
# What a Gather's input may list.
INPUTS = ("dtmf", "speech")
MAX_REQUESTS = 50
# How long a dialed call that was answered lasts, as reported to the Dial's action.
ANSWERED_CALL_SECONDS = 42
# How long a message left at a <Record> lasts, at most its maxLength.
RECORDED_MESSAGE_SECONDS = 12
DEFAULT_FROM = "+15555550100"
DEFAULT_TO = "+15555550199"
API_VERSION = "2010-04-01"
_SPOKEN = ("Say", "Play", "Pause")
# Why a call ended normally (Ended.reason).
HUNG_UP = "the app hung up"
DOCUMENT_ENDED = "the TwiML document ended"


@dataclass(frozen=True)
class Answer:
    """What a webhook answered; note is the transport's explanation of a failure, if any."""

    status: int
    body: bytes
    note: str = ""


class Unreachable(Exception):
    """A transport could not get an answer at all (connection refused, a URL it cannot reach)."""


# (method, absolute URL, parameters) -> Answer; signing and HTTP are the transport's business.
Transport = Callable[[str, str, dict[str, str]], Answer]


class Event:
    """Something that happens in a call; str() of it is its line in a transcript."""


@dataclass(frozen=True)
class Requested(Event):
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self):
        sent = ", ".join(f"{name}={value!r}" for name, value in self.params.items())
        return f"-> {self.method} {self.url}" + (f" ({sent})" if sent else "")


@dataclass(frozen=True)
class Said(Event):
    text: str
    voice: str = ""
    language: str = ""
    loop: int = 1

    def __str__(self):
        how = ", ".join(filter(None, [self.voice, self.language, _times(self.loop)]))
        return f"Says{f' ({how})' if how else ''}: {self.text}"


@dataclass(frozen=True)
class Played(Event):
    url: str
    loop: int = 1

    def __str__(self):
        return f"Plays {self.url}" + (f" ({_times(self.loop)})" if _times(self.loop) else "")


@dataclass(frozen=True)
class Paused(Event):
    seconds: int

    def __str__(self):
        return f"Pauses {self.seconds} s"


@dataclass(frozen=True)
class Gathering(Event):
    num_digits: int | None
    timeout: int
    finish_on_key: str
    # The language words are heard in; empty when the Gather does not listen for speech.
    speech_language: str = ""
    hints: int = 0
    keys: bool = True
    # The absolute URL the answer goes to (where the app names the step the caller is at).
    action: str = field(default="", compare=False)

    def __str__(self):
        wanted = (
            f"{self.num_digits} key{'s' if self.num_digits != 1 else ''}"
            if self.num_digits
            else "keys"
        )
        if self.speech_language:
            said = f"words in {self.speech_language}"
            hints = f", {self.hints} hint{'s' if self.hints != 1 else ''}" if self.hints else ""
            wanted = f"{wanted} or {said}{hints}" if self.keys else f"{said}{hints}"
        finish = f", ended by {self.finish_on_key}" if self.finish_on_key and self.keys else ""
        return f"Waits for {wanted} ({self.timeout} s{finish})"


@dataclass(frozen=True)
class Recording(Event):
    max_length: int
    finish_on_key: str

    def __str__(self):
        if not self.finish_on_key:
            return "(recording a message)"
        return f"(recording a message; press {' or '.join(self.finish_on_key)} to finish)"


@dataclass(frozen=True)
class Pressed(Event):
    keys: str

    def __str__(self):
        return f"You press {self.keys}"


@dataclass(frozen=True)
class Spoke(Event):
    words: str
    confidence: float

    def __str__(self):
        return f"You say “{self.words}” (confidence {self.confidence:.2f})"


@dataclass(frozen=True)
class NotListening(Event):
    words: str

    def __str__(self):
        return f"“{self.words}” went unheard: this menu listens for keys only"


@dataclass(frozen=True)
class TimedOut(Event):
    seconds: int

    def __str__(self):
        return f"You press nothing for {self.seconds} s"


@dataclass(frozen=True)
class Unheard(Event):
    keys: str

    def __str__(self):
        return f"Keys {self.keys} came after the input was complete and went unheard"


@dataclass(frozen=True)
class Dialed(Event):
    target: str
    outcome: str
    seconds: int

    def __str__(self):
        return f"Dials {self.target}: {self.outcome}" + (
            f" after {self.seconds} s" if self.seconds else ""
        )


@dataclass(frozen=True)
class Ended(Event):
    reason: str

    def __str__(self):
        return f"Call ends: {self.reason}"


@dataclass(frozen=True)
class Failed(Event):
    message: str

    def __str__(self):
        return f"Error: {self.message}"


def _times(loop: int) -> str:
    if loop == 1:
        return ""
    return "until the call ends" if loop == 0 else f"{loop} times"


@dataclass(frozen=True)
class Waiting:
    """A call paused at a <Gather> or a <Record>: plain data, enough to go on later (even in
    another process)."""

    call: dict[str, str]
    url: str
    document: str
    index: int
    requests: int
    digits: str = ""


@dataclass(frozen=True)
class Turn:
    """What the caller heard since the last key press, and the Gather that waits, if any."""

    events: tuple[Event, ...]
    waiting: Waiting | None
    error: str | None = None

    @property
    def ended(self) -> bool:
        return self.waiting is None


def new_call(*, caller: str = DEFAULT_FROM, called: str = DEFAULT_TO) -> dict[str, str]:
    """The parameters Twilio sends with every request of one inbound call (but CallStatus)."""
    return {
        "CallSid": "CA" + uuid.uuid4().hex,
        "AccountSid": SIMULATED_ACCOUNT_SID,
        "From": caller,
        "To": called,
        "Direction": "inbound",
        "ApiVersion": API_VERSION,
    }


class BadTwiml(Exception):
    """The app answered something Twilio could not carry out; the call ends with this message."""


@dataclass(frozen=True)
class _Follow:
    """Request a URL next."""

    method: str
    url: str
    params: dict[str, str]


@dataclass(frozen=True)
class _Continue:
    """Carry on with the verbs of a document already in hand, from a position."""

    root: ET.Element
    url: str
    start: int


@dataclass(frozen=True)
class _GatherSettings:
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


def said(text: str) -> tuple[str, float]:
    """Typed words and their confidence: "Dagobah" or "dagoba please @0.4"."""
    words, at, confidence = text.rpartition("@")
    if at and words.strip():
        try:
            value = float(confidence)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 1:
            raise ValueError(f"The confidence after @ is a number from 0 to 1; got {confidence!r}.")
        return " ".join(words.split()), value
    return " ".join(text.split()), DEFAULT_CONFIDENCE


class Interpreter:
    """Plays Twilio's part in one call: requests webhooks and carries out the TwiML they answer."""

    def __init__(self, transport: Transport, *, dial_outcome: str = "completed"):
        if dial_outcome not in DIAL_OUTCOMES:
            raise ValueError(f"dial_outcome must be one of {', '.join(DIAL_OUTCOMES)}")
        self.transport = transport
        self.dial_outcome = dial_outcome

    def start(self, url: str, *, method: str = "POST", call: dict[str, str] | None = None) -> Turn:
        """A new call: request the entry URL and go on until a Gather waits or the call ends."""
        walk = _Walk(self, call=call or new_call(), requests=0)
        return walk.go(_Follow(method, url, {}))

    def press(self, waiting: Waiting, keys: str) -> Turn:
        """The caller presses keys at the waiting Gather; it may finish or wait for more."""
        if not keys or any(key not in PHONE_KEYS for key in keys):
            raise ValueError(f"Keys are {' '.join(PHONE_KEYS)}; got {keys!r}.")
        walk, gather = _Walk.resume(self, waiting)
        walk.events.append(Pressed(keys))
        if "dtmf" not in gather.inputs:
            walk.events.append(Unheard(keys))
            return Turn(tuple(walk.events), waiting)
        digits = waiting.digits
        for position, key in enumerate(keys):
            finished_on = key if key in gather.finish_on_key else ""
            if not finished_on and gather.max_length is None:
                digits += key
            if finished_on or (gather.num_digits and len(digits) >= gather.num_digits):
                if rest := keys[position + 1 :]:
                    walk.events.append(Unheard(rest))
                return walk.go(_gathered(waiting, gather, digits, finished_on))
        return Turn(tuple(walk.events), replace(waiting, digits=digits))

    def say(self, waiting: Waiting, words: str, *, confidence: float = DEFAULT_CONFIDENCE) -> Turn:
        """The caller says words at the waiting Gather: Twilio sends what it heard
        (SpeechResult) and how sure it is (Confidence) to the action; a Gather that does not
        listen for speech hears nothing and times out."""
        if not words.strip():
            raise ValueError("Say some words; to say nothing, stay silent.")
        if not 0 <= confidence <= 1:
            raise ValueError(f"Confidence is a number from 0 to 1; got {confidence!r}.")
        walk, gather = _Walk.resume(self, waiting)
        if "speech" not in gather.inputs:
            walk.events.append(NotListening(words))
            walk.events.append(TimedOut(gather.timeout))
            return walk.go(_gathered(waiting, gather, waiting.digits, ""))
        walk.events.append(Spoke(words, confidence))
        params = {"SpeechResult": words, "Confidence": f"{confidence:.2f}"}
        return walk.go(_Follow(gather.method, gather.action, params))

    def stay_silent(self, waiting: Waiting) -> Turn:
        """The caller presses nothing (more): the Gather times out with what it has."""
        walk, gather = _Walk.resume(self, waiting)
        walk.events.append(TimedOut(gather.timeout))
        return walk.go(_gathered(waiting, gather, waiting.digits, ""))

    def answer(self, waiting: Waiting, keys: str) -> Turn:
        """Press keys (none for silence), then wait for the Gather to time out if it still waits."""
        if not keys:
            return self.stay_silent(waiting)
        turn = self.press(waiting, keys)
        here = (waiting.requests, waiting.index)
        if turn.waiting is None or (turn.waiting.requests, turn.waiting.index) != here:
            return turn  # the keys finished this Gather
        silent = self.stay_silent(turn.waiting)
        return replace(silent, events=turn.events + silent.events)


def _gathered(waiting: Waiting, gather: _GatherSettings, digits: str, finished_on: str):
    """The Gather is over: its action gets the digits, or the document goes on without them.
    A Record ended by a key has a message for its action; ended by silence, nothing was said
    and Twilio goes on with the next verb."""
    if gather.max_length is not None:
        if not finished_on:
            return _Continue(ET.fromstring(waiting.document), waiting.url, waiting.index + 1)
        recording_sid = "RE" + uuid.uuid4().hex
        account_sid = waiting.call.get("AccountSid", "")
        return _Follow(
            gather.method,
            gather.action,
            {
                "RecordingUrl": (
                    f"https://api.twilio.com/{API_VERSION}/Accounts/{account_sid}"
                    f"/Recordings/{recording_sid}"
                ),
                "RecordingSid": recording_sid,
                "RecordingDuration": str(min(RECORDED_MESSAGE_SECONDS, gather.max_length)),
                "Digits": finished_on,
            },
        )
    # Twilio drops a caller who pressed nothing into the next verb, unless told otherwise.
    if digits or gather.action_on_empty_result:
        return _Follow(
            gather.method, gather.action, {"Digits": digits, "FinishedOnKey": finished_on}
        )
    return _Continue(ET.fromstring(waiting.document), waiting.url, waiting.index + 1)


class _Walk:
    """One stretch of a call between two key presses: what it has sent and heard so far."""

    def __init__(self, interpreter: Interpreter, *, call: dict[str, str], requests: int):
        self.interpreter = interpreter
        self.call = call
        self.requests = requests
        self.events: list[Event] = []

    @classmethod
    def resume(cls, interpreter: Interpreter, waiting: Waiting):
        verb = ET.fromstring(waiting.document)[waiting.index]
        settings = _record_settings if verb.tag == "Record" else _gather_settings
        gather = settings(verb, waiting.url)
        return cls(interpreter, call=dict(waiting.call), requests=waiting.requests), gather

    def go(self, step: "_Follow | _Continue") -> Turn:
        """Request and carry out documents until one waits at a Gather or the call ends."""
        try:
            while not isinstance(step, Turn):
                if isinstance(step, _Follow):
                    step = _Continue(self._request(step), step.url, 0)
                step = self._run(step.root, step.url, start=step.start)
        except BadTwiml as error:
            self.events.append(Failed(str(error)))
            return Turn(tuple(self.events), None, error=str(error))
        return step

    def _request(self, step: _Follow) -> ET.Element:
        if self.requests >= MAX_REQUESTS:
            raise BadTwiml(
                f"More than {MAX_REQUESTS} requests in one call: the app seems to send the "
                "caller round in circles."
            )
        status = "ringing" if self.requests == 0 else "in-progress"
        params = {**self.call, "CallStatus": status, **step.params}
        self.events.append(Requested(step.method, step.url, dict(step.params)))
        self.requests += 1
        where = f"{step.method} {step.url}"
        try:
            answer = self.interpreter.transport(step.method, step.url, params)
        except Unreachable as error:
            raise BadTwiml(f"{where} got no answer: {error}") from error
        if not 200 <= answer.status < 300:
            note = f" {answer.note}" if answer.note else ""
            raise BadTwiml(f"{where} answered HTTP {answer.status}, not TwiML.{note}")
        try:
            root = ET.fromstring(answer.body)
        except ET.ParseError as error:
            sample = answer.body[:80].decode("utf-8", "replace")
            raise BadTwiml(
                f"{where} answered something that is not XML ({error}): {sample!r}"
            ) from error
        if root.tag != "Response":
            raise BadTwiml(f"{where} answered <{root.tag}>, not a TwiML <Response>.")
        return root

    def _run(self, root: ET.Element, url: str, *, start: int):
        """Carry out the document's verbs from start: a Turn, or the next step to take."""
        for index in range(start, len(root)):
            verb = root[index]
            if verb.tag in _SPOKEN:
                self.events.append(_spoken(verb, url))
            elif verb.tag == "Gather":
                return self._gather(root, index, url)
            elif verb.tag == "Record":
                return self._record(root, index, url)
            elif verb.tag == "Redirect":
                target = (verb.text or "").strip()
                if not target:
                    raise BadTwiml(f"<Redirect> has no URL (at {url}).")
                return _Follow(_method(verb, url), urljoin(url, target), {})
            elif verb.tag == "Dial":
                if follow := self._dial(verb, url):
                    return follow
            elif verb.tag == "Hangup":
                self.events.append(Ended(HUNG_UP))
                return Turn(tuple(self.events), None)
            else:
                raise BadTwiml(f"<{verb.tag}> is a verb this simulator does not know (at {url}).")
        self.events.append(Ended(DOCUMENT_ENDED))
        return Turn(tuple(self.events), None)

    def _gather(self, root: ET.Element, index: int, url: str) -> Turn:
        verb = root[index]
        gather = _gather_settings(verb, url)
        for nested in verb:
            if nested.tag not in _SPOKEN:
                raise BadTwiml(f"<{nested.tag}> cannot be nested in <Gather> (at {url}).")
            self.events.append(_spoken(nested, url))
        self.events.append(
            Gathering(
                gather.num_digits,
                gather.timeout,
                gather.finish_on_key,
                speech_language=gather.language if "speech" in gather.inputs else "",
                hints=len(gather.hints),
                keys="dtmf" in gather.inputs,
                action=gather.action,
            )
        )
        document = ET.tostring(root, encoding="unicode")
        return Turn(tuple(self.events), Waiting(self.call, url, document, index, self.requests))

    def _record(self, root: ET.Element, index: int, url: str) -> Turn:
        record = _record_settings(root[index], url)
        self.events.append(Recording(record.max_length, record.finish_on_key))
        document = ET.tostring(root, encoding="unicode")
        return Turn(tuple(self.events), Waiting(self.call, url, document, index, self.requests))

    def _dial(self, verb: ET.Element, url: str) -> _Follow | None:
        # The number is the Dial's text, or the text of its nouns (<Number>, <Client>, <Sip>...).
        targets = [(noun.text or "").strip() for noun in verb] or [(verb.text or "").strip()]
        target = ", ".join(filter(None, targets))
        if not target:
            raise BadTwiml(f"<Dial> has no number to dial (at {url}).")
        outcome = self.interpreter.dial_outcome
        seconds = ANSWERED_CALL_SECONDS if outcome == "completed" else 0
        self.events.append(Dialed(target, outcome, seconds))
        action = verb.get("action")
        if not action:
            return None  # without an action Twilio goes on with the next verb
        return _Follow(
            _method(verb, url),
            urljoin(url, action),
            {
                "DialCallStatus": outcome,
                "DialCallDuration": str(seconds),
                "DialCallSid": "CA" + uuid.uuid4().hex,
            },
        )


def _whole_number(verb: ET.Element, name: str, default: int, url: str, *, least: int) -> int:
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


def _method(verb: ET.Element, url: str) -> str:
    method = verb.get("method", "POST").upper()
    if method not in ("GET", "POST"):
        raise BadTwiml(f"<{verb.tag} method={method!r}> is not GET or POST (at {url}).")
    return method


def _spoken(verb: ET.Element, url: str) -> Event:
    loop = _whole_number(verb, "loop", 1, url, least=0)
    if verb.tag == "Say":
        # SSML inside a Say (<prosody>, <emphasis>...) is heard as its text.
        text = " ".join("".join(verb.itertext()).split())
        return Said(text, verb.get("voice", ""), verb.get("language", ""), loop)
    if verb.tag == "Play":
        return Played((verb.text or "").strip() or f"digits {verb.get('digits', '')}", loop)
    return Paused(_whole_number(verb, "length", 1, url, least=0))


def _gather_settings(verb: ET.Element, url: str) -> _GatherSettings:
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
    return _GatherSettings(
        action=urljoin(url, verb.get("action") or url),
        method=_method(verb, url),
        num_digits=_whole_number(verb, "numDigits", 0, url, least=1) or None,
        timeout=_whole_number(verb, "timeout", 5, url, least=1),
        finish_on_key=finish_on_key,
        action_on_empty_result=on_empty == "true",
        inputs=inputs,
        language=verb.get("language", "en-US"),
        hints=hints,
        speech_timeout=speech_timeout,
    )


def _record_settings(verb: ET.Element, url: str) -> _GatherSettings:
    # Twilio's defaults: any key finishes, 5 s of silence ends it, at most an hour.
    finish_on_key = verb.get("finishOnKey", "1234567890*#")
    if any(key not in PHONE_KEYS for key in finish_on_key):
        raise BadTwiml(f"<Record finishOnKey={finish_on_key!r}> is not keys (at {url}).")
    return _GatherSettings(
        action=urljoin(url, verb.get("action") or url),
        method=_method(verb, url),
        num_digits=None,
        timeout=_whole_number(verb, "timeout", 5, url, least=0),
        finish_on_key=finish_on_key,
        action_on_empty_result=False,
        max_length=_whole_number(verb, "maxLength", 3600, url, least=1),
    )
