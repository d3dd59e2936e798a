"""The benchmark's request mix: signed Twilio webhook requests, as Twilio would send them."""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bench import tree as large_tree


@dataclass(frozen=True)
class Request:
    path: str  # with its query string
    body: str  # form-encoded POST parameters
    signature: str

    def tsv(self) -> str:
        return f"{self.path}\t{self.body}\t{self.signature}"


def _caller(call_sid: str, *, to: str = "+18005550100") -> dict:
    return {
        "AccountSid": "AC" + "be" * 16,  # any account but the simulator's, so calls are logged
        "ApiVersion": "2010-04-01",
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        "From": "+19295550123",
        "To": to,
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
    """Welcome, 1 for the directions; welcome, 2 for the planet directory, a wrong key, Dagobah."""
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
    other 2 for the planet directory, then a wrong key, then Dagobah's key. The same URLs for every
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


def _step_url(path: str, **query) -> str:
    """A step's URL as our answers write it: empty values left out, the rest sorted."""
    pairs = sorted((name, value) for name, value in query.items() if value)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _tree_walk(signed, c: dict, *, subject: int, japanese: bool) -> list[Request]:
    """A call through the 50-menu tree: the main menu (in Japanese: 9 first), a topic, one of
    its subjects, a key no option has (back to that subject's welcome), the subject's news
    (which leads back to the topic), the next subject, and its summary, which hangs up."""
    menu = large_tree.slug
    topic = large_tree.parent(subject)
    subjects = large_tree.children(topic)
    key = subjects.index(subject) + 1
    following = subjects[key % len(subjects)]
    # (path, menu, attempts, key pressed): each one what the previous answer pointed at.
    steps = [("/ivr/menu", "", 0, "9")] if japanese else []
    steps += [
        ("/ivr/menu", "", 0, str(topic)),
        ("/ivr/menu", menu(topic), 0, str(key)),
        ("/ivr/menu", menu(subject), 0, "*"),
        ("/ivr/welcome", menu(subject), 1, None),
        ("/ivr/menu", menu(subject), 1, "2"),
        ("/ivr/menu", menu(topic), 1, str(subjects.index(following) + 1)),
        ("/ivr/menu", menu(following), 1, "1"),
    ]
    requests = [signed("/ivr/welcome", c)]
    for step, (path, at, attempts, digits) in enumerate(steps, start=1):
        # The key that switches to Japanese is pressed in the call's first language.
        lang = "ja-JP" if japanese and step > 1 else ""
        url = _step_url(path, attempts=attempts, lang=lang, menu=at, step=step)
        requests.append(signed(url, c if digits is None else {**c, "Digits": digits}))
    return requests


def tree(*, base_url: str, token: str, prefix: str, count: int) -> list[Request]:
    """count calls to the number of bench/tree.py's 50-menu tree, each walking to the next
    subject's menu: every subject in English, then every one in Japanese, and so on."""
    signed = _signer(base_url, token)
    subjects = [n for n in large_tree.leaves() if large_tree.parent(n) != 0]
    requests = []
    for n in range(count):
        c = _caller(f"{prefix}T{n:07d}", to=large_tree.NUMBER)
        subject = subjects[n % len(subjects)]
        japanese = n // len(subjects) % 2 == 1
        requests += _tree_walk(signed, c, subject=subject, japanese=japanese)
    return requests
