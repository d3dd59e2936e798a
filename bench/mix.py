"""The benchmark's request mix: signed Twilio webhook requests, as Twilio would send them."""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator


@dataclass(frozen=True)
class Request:
    path: str  # with its query string
    body: str  # form-encoded POST parameters
    signature: str

    def tsv(self) -> str:
        return f"{self.path}\t{self.body}\t{self.signature}"


def _caller(call_sid: str) -> dict:
    return {
        "AccountSid": "AC" + "be" * 16,  # any account but the simulator's, so calls are logged
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "From": "+19295550123",
        "To": "+18005550100",
    }


def _signer(base_url: str, token: str):
    validator = RequestValidator(token)

    def signed(path: str, params: dict) -> Request:
        return Request(
            path=path,
            body=urlencode(sorted(params.items())),
            signature=validator.compute_signature(base_url + path, params),
        )

    return signed


def _pair(signed, a: dict, b: dict) -> list[Request]:
    """Welcome, 1 for the directions; welcome, 2 for the planet menu, a wrong key, Dagobah."""
    return [
        signed("/ivr/welcome", a),
        signed("/ivr/menu?step=1", {**a, "Digits": "1"}),
        signed("/ivr/welcome", b),
        signed("/ivr/menu?step=1", {**b, "Digits": "2"}),
        signed("/ivr/planets?step=2", {**b, "Digits": "9"}),
        signed("/ivr/planets?attempts=1&step=3", {**b, "Digits": "3"}),
    ]


def shared(*, base_url: str, token: str, prefix: str, count: int) -> list[Request]:
    """The mix every target answers, the tutorial's Node sample included (it has no dial
    outcome or status callback): count pairs of calls, one pressing 1 for the directions, the
    other 2 for the planet menu, then a wrong key, then Dagobah's key. The same URLs for every
    target (the Node sample ignores query strings)."""
    signed = _signer(base_url, token)
    requests = []
    for n in range(count):
        requests += _pair(signed, _caller(f"{prefix}A{n:07d}"), _caller(f"{prefix}B{n:07d}"))
    return requests


def _japanese_message(signed, c: dict, planet: int) -> list[Request]:
    """A caller who switches to Japanese, says what they want, finds Dagobah unanswered and
    leaves a message: its recording callback comes as Twilio sends it."""
    spoken = {"Confidence": "0.92"}
    query = f"lang=ja-JP&planet={planet}"
    recording = {
        "RecordingSid": "RE" + hashlib.md5(c["CallSid"].encode()).hexdigest(),
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE",
        "RecordingStatus": "completed",
        "RecordingDuration": "7",
    }
    return [
        signed("/ivr/welcome", c),
        signed("/ivr/menu?step=1", {**c, "Digits": "9"}),
        signed("/ivr/menu?lang=ja-JP&step=2", {**c, "SpeechResult": "惑星", **spoken}),
        signed("/ivr/planets?lang=ja-JP&step=3", {**c, "SpeechResult": "ダゴバ", **spoken}),
        signed(f"/ivr/dialed?{query}&step=4", {**c, "DialCallStatus": "no-answer"}),
        signed(f"/ivr/voicemail/offered?{query}&step=5", {**c, "Digits": "1"}),
        signed(f"/ivr/voicemail/recorded?{query}&step=6", {**c, **recording}),
        signed(f"/ivr/voicemail/recording?{query}", {**c, **recording}),
    ]


def calls(*, base_url: str, token: str, prefix: str, count: int, planet_pk: int) -> list[Request]:
    """Our full mix: the shared mix's pairs of calls, the second hearing that Dagobah was busy;
    a third call in Japanese, by speech, leaving a message; each ending with Twilio's status
    callback."""
    signed = _signer(base_url, token)
    requests = []
    for n in range(count):
        a, b = _caller(f"{prefix}A{n:07d}"), _caller(f"{prefix}B{n:07d}")
        c = _caller(f"{prefix}C{n:07d}")
        requests += [
            *_pair(signed, a, b),
            signed(
                f"/ivr/dialed?attempts=1&planet={planet_pk}&step=4",
                {**b, "DialCallStatus": "busy", "DialCallDuration": "0"},
            ),
            *_japanese_message(signed, c, planet_pk),
            signed("/ivr/status", {**a, "CallStatus": "completed", "CallDuration": "41"}),
            signed("/ivr/status", {**b, "CallStatus": "completed", "CallDuration": "63"}),
            signed("/ivr/status", {**c, "CallStatus": "completed", "CallDuration": "95"}),
        ]
    return requests
