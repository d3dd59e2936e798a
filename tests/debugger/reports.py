"""Reports as Twilio's Debugger posts them (https://www.twilio.com/docs/usage/troubleshooting/
debugging-event-webhooks): form parameters, the Payload a JSON document."""

import json

from django.urls import reverse

CALLER = "+19295550123"
OURS = "+18005550100"
CALL_SID = "CA" + "1" * 32


def payload(**overrides) -> dict:
    """An 11200 about our menu step: Twilio got a 502 from us (a proxy's error page)."""
    document = {
        "resource_sid": CALL_SID,
        "service_sid": None,
        "error_code": "11200",
        "more_info": {
            "msg": "An attempt to retrieve content from https://ivr.example.com/ivr/menu?step=2 "
            "returned the HTTP status code 502",
            "sourceComponent": "12000",
            "httpResponse": "502",
            "LogLevel": "ERROR",
        },
        "webhook": {
            "type": "application/json",
            "request": {
                "url": "https://ivr.example.com/ivr/menu?step=2",
                "method": "POST",
                "headers": {"X-Twilio-Signature": "c2lnbmVk"},
                "parameters": {
                    "CallSid": CALL_SID,
                    "From": CALLER,
                    "Caller": CALLER,
                    "To": OURS,
                    "Called": OURS,
                    "Digits": "2",
                    "SpeechResult": "take me home",
                },
            },
            "response": {
                "status_code": 502,
                "headers": {"Content-Type": "text/html"},
                "body": "<html><body>502 Bad Gateway</body></html>",
            },
        },
    }
    return document | overrides


def report(sid: str = "NO" + "a" * 32, **overrides) -> dict:
    """The form Twilio posts; overrides replace a parameter, None leaves it out."""
    form = {
        "Sid": sid,
        "AccountSid": "AC" + "2" * 32,
        "Timestamp": "2026-12-01T10:00:00Z",
        "Level": "ERROR",
        "PayloadType": "application/json",
        "Payload": json.dumps(payload()),
    } | overrides
    return {name: value for name, value in form.items() if value is not None}


def post(client, form: dict | None = None):
    """Twilio's Debugger posting a report to us, signed as the client signs."""
    return client.post(reverse("ivr:debugger"), report() if form is None else form)
