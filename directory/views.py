"""The prompts' recordings, served to Twilio's <Play> (which fetches without a signature)."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .recordings import CONTENT_TYPES, FOLDER, NAME, recordings_storage

# A name is the content's hash: the same URL is the same sound for ever.
CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_safe
def recording_file(request, name: str):
    """A recording staff uploaded, by its hashed name; nothing else is served from here."""
    if not NAME.fullmatch(name):
        raise Http404
    try:
        file = recordings_storage().open(f"{FOLDER}/{name}", "rb")
    except (OSError, ValueError) as missing:
        raise Http404 from missing
    response = FileResponse(file, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    response["Cache-Control"] = CACHE_CONTROL
    return response
