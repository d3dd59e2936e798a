"""The benchmark's request mix: signed Twilio webhook requests, as Twilio would send them."""

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


def calls(*, base_url: str, token: str, prefix: str, count: int, planet_pk: int) -> list[Request]:
    """count pairs of calls: one hears the directions; the other opens the planet menu, presses
    a wrong key, dials a planet, hears it was busy. Both end with Twilio's status callback."""
    validator = RequestValidator(token)

    def signed(path: str, params: dict) -> Request:
        return Request(
            path=path,
            body=urlencode(sorted(params.items())),
            signature=validator.compute_signature(base_url + path, params),
        )

    requests = []
    for n in range(count):
        a, b = _caller(f"{prefix}A{n:07d}"), _caller(f"{prefix}B{n:07d}")
        requests += [
            signed("/ivr/welcome", a),
            signed("/ivr/menu?step=1", {**a, "Digits": "1"}),
            signed("/ivr/status", {**a, "CallStatus": "completed", "CallDuration": "41"}),
            signed("/ivr/welcome", b),
            signed("/ivr/menu?step=1", {**b, "Digits": "2"}),
            signed("/ivr/planets?step=2", {**b, "Digits": "9"}),
            signed("/ivr/planets?attempts=1&step=3", {**b, "Digits": "3"}),
            signed(
                f"/ivr/dialed?attempts=1&planet={planet_pk}&step=4",
                {**b, "DialCallStatus": "busy", "DialCallDuration": "0"},
            ),
            signed("/ivr/status", {**b, "CallStatus": "completed", "CallDuration": "63"}),
        ]
    return requests
