"""Writes of voicemails: Twilio's callbacks through a spool, the email notice, and deleting a
voicemail with its recording at Twilio.

Twilio's callbacks about a recording must never be lost to a locked or unreachable database, so
they go the call log's way (calllog/spool.py): appended to this process's spool file, written by
a background thread. Writing an entry twice is harmless: the recording's SID is unique.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import cache

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from calllog.entries import keep, type_of
from calllog.maintenance import PurgeKept
from calllog.spool import Spool, spool_for
from directory.models import Planet
from metrics import registry as metrics
from twilio_api.client import NotFound, TwilioApiError
from twilio_api.recordings import recording_delete

from .models import Voicemail

logger = logging.getLogger("voicemail")


# Kept for ever: one spool per process (it notices a fork itself), set by the settings.
@cache
def _spool() -> Spool | None:
    return spool_for(entries_write, folder="voicemail", label="voicemail")


def spool_start() -> None:
    """Start this process's voicemail writer: it also writes what stopped processes left."""
    if spool := _spool():
        spool.start()


def _keep(entry_type: str, **fields) -> None:
    keep(_spool(), entries_write, entry_type, Voicemail, **fields)


def recording_received(
    *,
    recording_sid: str,
    call_sid: str,
    planet_id: int | None,
    language: str,
    duration: int | None,
    inbox_url: str,
) -> None:
    """Twilio's recording status callback: a finished message."""
    _keep(
        "recording",
        recording_sid=recording_sid,
        call_sid=call_sid,
        planet_id=planet_id,
        language=language,
        duration=duration,
        inbox_url=inbox_url,
    )


def transcription_received(
    *,
    recording_sid: str,
    call_sid: str,
    planet_id: int | None,
    language: str,
    text: str,
    inbox_url: str,
) -> None:
    """Twilio's transcription callback: the message's text (it may come before the recording's)."""
    _keep(
        "transcription",
        recording_sid=recording_sid,
        call_sid=call_sid,
        planet_id=planet_id,
        language=language,
        text=text,
        inbox_url=inbox_url,
    )


def entries_write(entries: list[dict]) -> None:
    """Write spooled entries in one transaction, all or none; the first of a recording makes its
    voicemail and sends a notice."""
    # All or none: a group the spool writes again (the database was down, or refused one of
    # them) finds none of its voicemails made already, so none misses its notice.
    with transaction.atomic():
        written = [(_entry_write(entry), entry["inbox_url"]) for entry in entries]
    metrics.count(metrics.voicemails, amount=sum(created for (_v, created), _url in written))
    # After the writes: a slow mail server never holds the database.
    for (voicemail, created), inbox_url in written:
        if created:
            notice_send(voicemail=voicemail, inbox_url=inbox_url)


def _entry_write(entry: dict) -> tuple[Voicemail, bool]:
    planet_id = entry["planet_id"]
    # A planet deleted since the call: the message stays, without its planet.
    if planet_id is not None and not Planet.objects.filter(pk=planet_id).exists():
        planet_id = None
    if type_of(entry) == "recording":
        update = {"duration": entry["duration"]}
    else:
        update = {"transcription": entry["text"]}
    voicemail, created = Voicemail.objects.get_or_create(
        recording_sid=entry["recording_sid"],
        defaults={
            "call_sid": entry["call_sid"],
            "planet_id": planet_id,
            "language": entry["language"],
            "received_at": datetime.fromisoformat(entry["at"]),
            **update,
        },
    )
    if not created:
        Voicemail.objects.filter(pk=voicemail.pk).update(**update)
    return voicemail, created


def notice_send(*, voicemail: Voicemail, inbox_url: str) -> None:
    """Tell the planet's contact of a new message, with a link to the inbox, never the audio."""
    planet = voicemail.planet
    if planet is None or not planet.contact_email:
        return
    subject = gettext("New voicemail for %(planet)s") % {"planet": planet.name}
    body = gettext(
        "A caller left a message for %(planet)s at %(received)s.\n\n"
        "Listen to it in the voicemail inbox:\n%(url)s\n"
    ) % {
        "planet": planet.name,
        "received": timezone.localtime(voicemail.received_at).strftime("%Y-%m-%d %H:%M %Z"),
        "url": inbox_url,
    }
    try:
        send_mail(subject, body, None, [planet.contact_email])
    except Exception:
        # The voicemail is in the inbox either way; the notice is not retried.
        logger.exception(
            "Could not email the notice of voicemail %s to %s",
            voicemail.recording_sid,
            planet.contact_email,
        )


def recording_remove(*, voicemail: Voicemail) -> None:
    """Delete the voicemail's recording at Twilio (gone already is fine).

    A failure is kept on the voicemail, so the inbox says why it is still there, and raised.
    """
    try:
        recording_delete(voicemail.recording_sid)
    except NotFound:
        pass
    except TwilioApiError as error:
        voicemail.deletion_error = str(error)
        Voicemail.objects.filter(pk=voicemail.pk).update(deletion_error=voicemail.deletion_error)
        raise


def voicemails_delete(voicemails: Iterable[Voicemail]) -> tuple[int, list[str]]:
    """Delete each voicemail with its recording; one Twilio refuses to delete is kept.

    Returns how many were deleted, and a line per voicemail kept saying why.
    """
    deleted, kept = 0, []
    for voicemail in voicemails:
        try:
            recording_remove(voicemail=voicemail)
        except TwilioApiError as error:
            kept.append(f"{voicemail.recording_sid}: {error}")
            continue
        voicemail.delete()
        deleted += 1
    return deleted, kept


def calls_purged(before: datetime) -> str:
    """purge_calls' part (registered in apps.py): the voicemails as old as the calls it
    deletes, with their recordings; those whose recording Twilio could not delete are kept."""
    deleted, kept = voicemails_purge(before=before)
    said = f"Deleted {deleted} voicemail(s) and their recordings at Twilio."
    if kept:
        raise PurgeKept(
            said,
            f"Kept {len(kept)} voicemail(s): Twilio could not delete the recording.\n"
            + "\n".join(kept),
        )
    return said


def voicemails_purge(*, before: datetime, batch_size: int = 500) -> tuple[int, list[str]]:
    """Delete the voicemails received before a time, and their recordings at Twilio.

    Read a batch at a time, none left open while deleting: an SQLite read still open when the
    call log's writers commit could no longer take the write lock ("database is locked")."""
    old = Voicemail.objects.filter(received_at__lt=before).order_by("pk")
    deleted, kept, after = 0, [], 0
    while batch := list(old.filter(pk__gt=after)[:batch_size]):
        after = batch[-1].pk  # before the deletes, which clear it
        done, not_done = voicemails_delete(batch)
        deleted, kept = deleted + done, kept + not_done
    return deleted, kept
