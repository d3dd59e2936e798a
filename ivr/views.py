"""Twilio's webhooks (a call's steps, handed to the step engine; its callbacks; the fallback),
the health checks and the home page."""

import copy
import logging
from urllib.parse import urlencode, urlsplit

from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

from calllog import services as calllog
from calllog.models import Call
from debugger import services as debugger_reports
from directory.models import Prompt
from directory.selectors import script_get
from texts import services as texts
from twilio_api.client import SIMULATED_ACCOUNT_SID
from twilio_api.messages import MESSAGE_SID
from twilio_api.recordings import RECORDING_SID
from voicemail import services as voicemail

from . import engine, twiml
from .context import LANGUAGE_LENGTH, Context, bounded_int, log_call, planet_pk, request_params
from .decorators import ANSWERED_AS_KEY, apologize, twilio_webhook
from .public_url import public_base_url

logger = logging.getLogger("ivr")


@twilio_webhook
def webhook(request, step: str):
    """Every step of a call: the engine answers it from the request's context."""
    return engine.answer(step, Context.of(request, script_get()))


@twilio_webhook
def status(request):
    """Twilio's status callback at the end of a call: its final status and duration."""
    params = request_params(request)
    call_status = params.get("CallStatus", "")
    if call_status in Call.Status.values:
        log_call(
            params,
            calllog.call_end,
            from_number=params.get("From", "")[:32],
            to_number=params.get("To", "")[:32],
            status=call_status,
            duration=bounded_int(params.get("CallDuration", ""), upper=10**9),
        )
    return twiml.empty()


@twilio_webhook
def text_status(request):
    """Twilio's status callback for a text we sent a caller: what became of it."""
    params = request_params(request)
    message_sid = params.get("MessageSid", "")
    if MESSAGE_SID.fullmatch(message_sid):
        error_code = bounded_int(params.get("ErrorCode", ""), upper=10**9) or None
        try:
            texts.status_received(
                message_sid=message_sid,
                status=params.get("MessageStatus", "")[:16],
                error_code=error_code,
            )
        except Exception:
            logger.exception("Could not record the status of text %s", message_sid)
    return twiml.empty()


@twilio_webhook
def debugger(request):
    """Twilio's Debugger webhook: an error or warning report about our line, kept for staff."""
    try:
        debugger_reports.report_receive(request_params(request))
    except debugger_reports.NotAReport as refusal:
        logger.warning("Refused a Debugger report: %s", refusal)
        request.META[ANSWERED_AS_KEY] = "refused"
        return HttpResponseBadRequest(
            f"Not a Debugger report: {refusal}\n", content_type="text/plain"
        )
    except DatabaseError:
        # Twilio keeps the report in its console; it may send it again.
        logger.exception("Could not keep a Debugger report")
        request.META[ANSWERED_AS_KEY] = "unavailable"
        return HttpResponse("Try again later.\n", content_type="text/plain", status=503)
    return twiml.empty()


def _inbox_url(request, recording_sid: str) -> str:
    base = public_base_url(request)
    inbox = reverse("admin:voicemail_voicemail_changelist")
    return f"{base}{inbox}?{urlencode({'q': recording_sid})}"


def _recording_fields(request) -> dict | None:
    """What a callback says about a recording, or None when there is nothing to keep."""
    params = request_params(request)
    recording_sid, call_sid = params.get("RecordingSid", ""), params.get("CallSid", "")[:64]
    if not RECORDING_SID.fullmatch(recording_sid) or not call_sid:
        return None
    if params.get("AccountSid") == SIMULATED_ACCOUNT_SID:
        return None
    return {
        "recording_sid": recording_sid,
        "call_sid": call_sid,
        "planet_id": planet_pk(request),
        "language": request.GET.get("lang", "")[:LANGUAGE_LENGTH],
        "inbox_url": _inbox_url(request, recording_sid),
    }


@twilio_webhook
def voicemail_recording(request):
    """Twilio's recording status callback: a finished message is kept; a replay changes nothing."""
    fields = _recording_fields(request)
    if fields and request_params(request).get("RecordingStatus") == "completed":
        duration = bounded_int(request_params(request).get("RecordingDuration", ""), upper=10**6)
        voicemail.recording_received(duration=duration, **fields)
    return twiml.empty()


@twilio_webhook
def voicemail_transcription(request):
    """Twilio's transcription callback: the message's text, when Twilio made one."""
    fields = _recording_fields(request)
    if fields and request_params(request).get("TranscriptionStatus") == "completed":
        text = request_params(request).get("TranscriptionText", "")[:10_000]
        voicemail.transcription_received(text=text, **fields)
    return twiml.empty()


# The steps Twilio's fallback request may replay: those a caller's call moves through.
REPLAYABLE = {
    "ivr:welcome",
    "ivr:menu",
    "ivr:planets",
    "ivr:confirm",
    "ivr:dialed",
    "ivr:voicemail_offered",
    "ivr:voicemail_recorded",
}


def _failed_step(error_url: str) -> str | None:
    """The step of the call behind the URL Twilio could not get an answer from, if ours."""
    try:
        match = resolve(urlsplit(error_url).path)
    except Resolver404:
        return None
    return match.kwargs["step"] if match.view_name in REPLAYABLE else None


@twilio_webhook
def fallback(request):
    """Twilio's Fallback URL, used when a step got no answer from us (a worker restarted under
    it, a connection reset): answer that step now, else apologise, touching no database."""
    params = request_params(request)
    error_url = params.get("ErrorUrl", "")
    logger.error(
        "Twilio used the fallback URL for call %s: ErrorCode=%s ErrorUrl=%s",
        params.get("CallSid", "(unknown)")[:64],
        params.get("ErrorCode", "")[:16],
        error_url[:500],
    )
    step = _failed_step(error_url)
    if step is None:
        request.META[ANSWERED_AS_KEY] = "apology"
        return apologize()
    request.META[ANSWERED_AS_KEY] = "fallback_replay"
    # Twilio signed ErrorUrl in this request, so its query (step, attempts, language) is ours;
    # the call's parameters come along. A replay of a step that was in fact answered writes
    # the same log entries, which the call log keeps once.
    replay = copy.copy(request)
    replay.method = "POST"
    replay.GET = QueryDict(urlsplit(error_url).query)
    replay.POST = params.copy()
    for name in ("ErrorCode", "ErrorUrl"):
        replay.POST.pop(name, None)
    return engine.answer(step, Context.of(replay, script_get()))


@twilio_webhook
def elsewhere(request, path=""):
    """Any other /ivr/ URL (a mistyped console setting, a stray slash): back to the main menu."""
    context = Context.of(request, script_get())
    return twiml.say_and_redirect(
        sentence=context.wording.sentence(Prompt.Key.RETURNING_TO_MENU),
        url=reverse("ivr:welcome"),
    )


def health(request):
    """For a load balancer: the process answers. Touches neither the database nor the log."""
    return HttpResponse("ok\n", content_type="text/plain")


def health_database(request):
    """For a load balancer or a monitor: the directory can be read, and how far behind the
    call log's writer in this process is (0 when it is up to date)."""
    try:
        Prompt.objects.exists()
    except DatabaseError:
        logger.exception("Health check: the database cannot be read")
        return HttpResponse("database unavailable\n", content_type="text/plain", status=503)
    return HttpResponse(
        f"ok\ncall log entries waiting: {calllog.spool_backlog()}\n", content_type="text/plain"
    )


def home(request):
    """What this is, and the webhook URLs to paste into the Twilio console."""
    return render(
        request,
        "ivr/home.html",
        {
            "welcome_url": request.build_absolute_uri(reverse("ivr:welcome")),
            "fallback_url": request.build_absolute_uri(reverse("ivr:fallback")),
            "status_url": request.build_absolute_uri(reverse("ivr:status")),
            "debugger_url": request.build_absolute_uri(reverse("ivr:debugger")),
            # DJANGO_ADMIN_URL keeps the admin's path from whoever does not know it: only
            # signed-in staff are shown it.
            "admin_url": reverse("admin:index") if request.user.is_staff else "",
        },
    )
