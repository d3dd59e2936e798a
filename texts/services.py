"""Sending callers text messages: asked for by a call's step, sent by a background thread.

A caller never waits for Twilio's Messaging API: the step appends the request to this process's
spool (calllog/spool.py, in a folder of its own) and answers at once; the spool's thread sends
it. A text Twilio cannot take now (Twilio unreachable, its own fault, too many requests) is
tried again with the spool's growing waits, for up to GIVE_UP_AFTER; one Twilio refuses (not a
mobile number, the caller opted out, our number cannot send texts) is recorded as refused and
never sent again. A request is written once per call and option, so a caller who asks twice, or
Twilio retrying the step, sends one text. Twilio's status callbacks take the same way.
"""

import logging
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from calllog.entries import keep, type_of
from calllog.spool import Spool, spool_for
from metrics import registry as metrics
from twilio_api.messages import CALLER_CANNOT_TAKE_TEXTS, TextRefused, text_send

from .models import PROGRESS, TWILIO_STATUSES, SentText, TextStatus

# Twilio's later word on a text, counted in /metrics when a text first reaches it.
COUNTED_STATUSES = (TextStatus.DELIVERED, TextStatus.UNDELIVERED, TextStatus.FAILED)

logger = logging.getLogger("texts")

# A text that could not reach Twilio for this long is given up: its caller has moved on.
GIVE_UP_AFTER = timedelta(hours=1)
# A status callback about a text whose SID is not stored yet is tried again for this long
# (then it is about no text of ours: a purged one, say).
STATUS_PATIENCE = timedelta(minutes=2)


class TextNotKnownYet(Exception):
    """A status for a MessageSid not stored yet (retried by the spool, not set aside)."""


# Kept for ever: one spool per process (it notices a fork itself), set by the settings.
@cache
def _spool() -> Spool | None:
    return spool_for(entries_write, folder="texts", label="texts")


def spool_start() -> None:
    """Start this process's sender: it also sends what stopped processes left."""
    if spool := _spool():
        spool.start()


def text_request(
    *,
    call_sid: str,
    menu: str,
    key: str,
    to_number: str,
    from_number: str,
    language: str,
    body: str,
    status_callback: str,
) -> None:
    """A caller asked for a text: it is sent in the background, once per call and option."""
    keep(
        _spool(),
        entries_write,
        "text",
        SentText,
        call_sid=call_sid,
        menu=menu,
        key=key,
        to_number=to_number,
        from_number=from_number,
        language=language,
        body=body,
        status_callback=status_callback,
    )


def number_refused(number: str) -> bool:
    """Whether Twilio has refused a text to this number for a reason of the number's own (not a
    mobile, opted out): the next one would be refused too, so its caller is not told of one."""
    return SentText.objects.filter(
        to_number=number,
        status=TextStatus.REFUSED,
        error_code__in=CALLER_CANNOT_TAKE_TEXTS,
    ).exists()


def status_received(*, message_sid: str, status: str, error_code: int | None) -> None:
    """Twilio's message status callback."""
    keep(
        _spool(),
        entries_write,
        "status",
        SentText,
        message_sid=message_sid,
        status=status,
        error_code=error_code,
    )


def entries_write(entries: list[dict]) -> None:
    """Write the requests and statuses, then send what is waiting among them. Raises when
    Twilio cannot take a text now: the spool tries the entries again later (those sent already
    are not sent again)."""
    for entry in entries:
        if type_of(entry) == "status":
            _status_write(entry)
            continue
        text, _created = SentText.objects.get_or_create(
            call_id=entry["call_sid"],
            menu=entry["menu"],
            key=entry["key"],
            defaults={
                "to_number": entry["to_number"],
                "from_number": entry["from_number"],
                "language": entry["language"],
                "body": entry["body"],
                "requested_at": datetime.fromisoformat(entry["at"]),
            },
        )
        if text.status == TextStatus.WAITING and text.message_sid is None:
            _send(text, status_callback=entry["status_callback"])


def _claimed(text: SentText) -> bool:
    """Take the text for sending, unless another process (or an earlier try) has: at most one
    sends it. A process that dies between this and Twilio's answer leaves it unsent, never
    sent twice."""
    claimed = SentText.objects.filter(pk=text.pk, status=TextStatus.WAITING, message_sid=None)
    return claimed.update(status=TextStatus.SENDING, updated_at=timezone.now()) == 1


def _send(text: SentText, *, status_callback: str) -> None:
    if timezone.now() - text.requested_at > GIVE_UP_AFTER:
        _update(text, status=TextStatus.FAILED, error="Twilio could not be reached in time.")
        metrics.count(metrics.texts, "failed")
        logger.warning("Gave up the text for call %s: Twilio could not be reached", text.call_id)
        return
    if not _claimed(text):
        return
    try:
        sent = text_send(
            to=text.to_number,
            body=text.body,
            from_number="" if settings.TWILIO_MESSAGING_SERVICE_SID else text.from_number,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            status_callback=status_callback,
        )
    except TextRefused as refused:
        _update(text, status=TextStatus.REFUSED, error_code=refused.code, error=refused.reason)
        metrics.count(metrics.texts, "refused")
        log = logger.warning if refused.configuration_wrong else logger.info
        log("Twilio refused the text for call %s: %s", text.call_id, refused)
        return
    except Exception:
        # Twilio could not take it now: waiting again, for the spool's next try.
        _update(text, status=TextStatus.WAITING)
        raise
    # Claimed, so no status callback about it is written before its SID is (they wait for it).
    _update(text, message_sid=sent.sid, status=TWILIO_STATUSES.get(sent.status, TextStatus.QUEUED))
    metrics.count(metrics.texts, "sent")


def _status_write(entry: dict) -> None:
    status = TWILIO_STATUSES.get(entry["status"])
    if status is None:
        return
    fields = {}
    if entry["error_code"] and status in (TextStatus.FAILED, TextStatus.UNDELIVERED):
        fields["error_code"] = entry["error_code"]
    known = SentText.objects.filter(message_sid=entry["message_sid"]).exists()
    if not known and timezone.now() - datetime.fromisoformat(entry["at"]) < STATUS_PATIENCE:
        # Twilio's callback came before its SID was stored: the spool tries it again.
        raise TextNotKnownYet(entry["message_sid"])
    moved = _advance(Q(message_sid=entry["message_sid"]), status, **fields)
    if moved and status in COUNTED_STATUSES:
        metrics.count(metrics.texts, status, amount=moved)


def _advance(where: Q, status: str, **fields) -> int:
    """Move the texts to a status unless they are as far along already; how many moved."""
    behind = [s for s, progress in PROGRESS.items() if progress < PROGRESS[status]]
    return SentText.objects.filter(where, status__in=behind).update(
        status=status, updated_at=timezone.now(), **fields
    )


def _update(text: SentText, **fields) -> None:
    SentText.objects.filter(pk=text.pk).update(updated_at=timezone.now(), **fields)


def texts_purge(before: datetime) -> str:
    """Delete the texts asked for before a time (they hold callers' numbers)."""
    deleted, _ = SentText.objects.filter(requested_at__lt=before).delete()
    return f"Deleted {deleted} text(s) sent to callers."
