"""Prompts' recordings: what an upload must be, where it is stored, and how it is served."""

import hashlib
import re

import mutagen
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _
from mutagen.mp3 import MP3
from mutagen.wave import WAVE

# What Twilio's <Play> plays, as we store and serve it: the extension names the content.
CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav"}
KINDS = ((WAVE, "wav"), (MP3, "mp3"))
FOLDER = "recordings"
# A stored recording's name: the SHA-256 of its content and its kind. Nothing else is served.
NAME = re.compile(r"[0-9a-f]{64}\.(mp3|wav)")


def recordings_storage():
    """The storage of the recordings (STORAGES["recordings"]): a disk, or shared object storage."""
    return storages["recordings"]


def audio_kind(file) -> tuple[str, float] | None:
    """The file's kind ("mp3" or "wav") and length in seconds, read from its content; None
    when it is neither (whatever its name says)."""
    for reader, kind in KINDS:
        file.seek(0)
        try:
            audio = reader(file)
        except (mutagen.MutagenError, ValueError, EOFError):
            continue
        length = getattr(audio.info, "length", 0) or 0
        if length > 0:
            file.seek(0)
            return kind, length
    file.seek(0)
    return None


def validate_recording(value) -> None:
    """An upload Twilio can play, neither too large nor too long (checked once, on upload)."""
    if not value or getattr(value, "_committed", True):
        return
    max_bytes = settings.RECORDING_MAX_MEGABYTES * 1024 * 1024
    if value.size > max_bytes:
        raise ValidationError(
            _("The file is larger than %(limit)s MB. Upload a shorter or more compressed one."),
            code="recording_too_large",
            params={"limit": f"{settings.RECORDING_MAX_MEGABYTES:g}"},
        )
    found = audio_kind(value.file)
    if found is None:
        raise ValidationError(
            _("This is not an MP3 or WAV recording. Upload an .mp3 or .wav file."),
            code="recording_type",
        )
    if found[1] > settings.RECORDING_MAX_SECONDS:
        raise ValidationError(
            _("The recording lasts %(length)s seconds; the most is %(limit)s."),
            code="recording_too_long",
            params={"length": round(found[1]), "limit": settings.RECORDING_MAX_SECONDS},
        )


def recording_name(instance, filename: str) -> str:
    """The content's hash and kind: a new recording is a new name, so its URL can be cached
    for ever."""
    file = instance.recording.file
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    found = audio_kind(file)
    kind = found[0] if found else filename.rsplit(".", 1)[-1].lower()
    return f"{FOLDER}/{digest.hexdigest()}.{kind}"
