"""A stand-in for Twilio's voice engine: walks one call through TwiML webhooks, verb by verb."""

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from urllib.parse import urljoin

from directory.models import PHONE_KEYS

# Twilio sends the account's SID; a simulated call belongs to no account, and is not logged.
from twilio_api.client import SIMULATED_ACCOUNT_SID

from .events import (
    Dialed,
    Ended,
    Event,
    Failed,
    Gathering,
    NotListening,
    Pressed,
    Recording,
    Requested,
    Spoke,
    TimedOut,
    Transport,
    Turn,
    Unheard,
    Unreachable,
    Waiting,
)
from .verbs import (
    BadTwiml,
    GatherSettings,
    gather_settings,
    method_of,
    record_settings,
    spoken_event,
)

DIAL_OUTCOMES = ("completed", "busy", "no-answer", "failed")
# Twilio's Confidence for words said without one: sure, as a clear line would be.
DEFAULT_CONFIDENCE = 0.9
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


def _gathered(waiting: Waiting, gather: GatherSettings, digits: str, finished_on: str):
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
        settings = record_settings if verb.tag == "Record" else gather_settings
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
                self.events.append(spoken_event(verb, url))
            elif verb.tag == "Gather":
                return self._gather(root, index, url)
            elif verb.tag == "Record":
                return self._record(root, index, url)
            elif verb.tag == "Redirect":
                target = (verb.text or "").strip()
                if not target:
                    raise BadTwiml(f"<Redirect> has no URL (at {url}).")
                return _Follow(method_of(verb, url), urljoin(url, target), {})
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
        gather = gather_settings(verb, url)
        for nested in verb:
            if nested.tag not in _SPOKEN:
                raise BadTwiml(f"<{nested.tag}> cannot be nested in <Gather> (at {url}).")
            self.events.append(spoken_event(nested, url))
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
        record = record_settings(root[index], url)
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
            method_of(verb, url),
            urljoin(url, action),
            {
                "DialCallStatus": outcome,
                "DialCallDuration": str(seconds),
                "DialCallSid": "CA" + uuid.uuid4().hex,
            },
        )
