"""Keeping the reports Twilio's Debugger posts: checked, stored once per Sid, counted.

A report is written in its request, not through a spool: reports are rare (a few a day on a
healthy line, a burst when something breaks), Twilio waits for no caller meanwhile, and this
room sits below the call log, whose spool it may not use. When the database cannot take a
report the webhook answers 503, and the report stays in Twilio's console.
"""

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from directory.fields import storable
from metrics import registry as metrics

from .codes import is_code
from .models import RESPONSE_BODY_LENGTH, URL_LENGTH, Level, Report
from .privacy import without_private

SID = re.compile(r"[A-Za-z0-9]{1,64}")


class NotAReport(ValueError):
    """A request that is no Debugger report (what is wrong with it, for the answer and log)."""


def report_receive(parameters: Mapping[str, str]) -> bool:
    """Keep a report Twilio's Debugger posted; True when it is new, False for one kept already
    (Twilio sends a report again until we take it). Raises NotAReport, storing nothing, for a
    request that is not one; a database that cannot take it raises DatabaseError."""
    fields = report_fields(parameters)
    _report, created = Report.objects.get_or_create(sid=fields.pop("sid"), defaults=fields)
    if created:
        code = fields["error_code"] if is_code(fields["error_code"]) else ""
        metrics.count(metrics.debugger_reports, fields["level"], code)
    return created


def report_fields(parameters: Mapping[str, str]) -> dict:
    """A report's columns from Twilio's parameters (Sid, Level, Timestamp, Payload...)."""
    sid = parameters.get("Sid", "")
    if not SID.fullmatch(sid):
        raise NotAReport("Sid is missing or is not a Twilio Sid.")
    level = parameters.get("Level", "").lower()
    if level not in Level.values:
        raise NotAReport("Level is missing or is not Error or Warning.")
    try:
        payload = json.loads(parameters.get("Payload", ""), parse_constant=_not_json)
    except ValueError:
        raise NotAReport("Payload is missing or is not JSON.") from None
    if not isinstance(payload, dict):
        raise NotAReport("Payload is not a JSON object.")
    payload = storable_json(payload)
    request, response = _part(payload, "webhook", "request"), _part(payload, "webhook", "response")
    return {
        "sid": sid,
        "level": level,
        "error_code": _text(payload.get("error_code"))[:16],
        "occurred_at": _time(parameters.get("Timestamp", "")),
        "url": without_private(_text(request.get("url")))[:URL_LENGTH],
        "method": _text(request.get("method")).upper()[:8],
        "response_status": _status(response.get("status_code")),
        "response_body": _text(response.get("body"))[:RESPONSE_BODY_LENGTH],
        "resource_sid": _text(payload.get("resource_sid"))[:64],
        "raw": {
            **storable_json({name: parameters.get(name) for name in parameters}),
            "Payload": payload,
        },
    }


def reports_purge(before: datetime) -> str:
    """Delete the reports older than a time (they may hold callers' numbers)."""
    deleted, _ = Report.objects.filter(occurred_at__lt=before).delete()
    return f"Deleted {deleted} Debugger report(s)."


def storable_json(value):
    """JSON as every database stores it: each text in it, keys and values, storable()."""
    if isinstance(value, dict):
        return {storable(key): storable_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable_json(item) for item in value]
    return storable(value) if isinstance(value, str) else value


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")  # NaN, Infinity: no database stores them


def _part(payload: dict, *path: str) -> dict:
    for name in path:
        payload = payload.get(name) if isinstance(payload, dict) else None
    return payload if isinstance(payload, dict) else {}


def _text(value) -> str:
    """A value Twilio sent as a text, a number or nothing, as a text."""
    if value is None or isinstance(value, dict | list | bool):
        return ""
    return str(value)


def _status(value) -> int | None:
    try:
        status = int(value)
    except (TypeError, ValueError):
        return None
    return status if 100 <= status <= 599 else None


def _time(value: str) -> datetime:
    """Twilio's Timestamp (ISO 8601, e.g. 2026-12-01T10:00:00Z); now when it has none."""
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        moment = None
    if moment is None:
        return timezone.now()
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
