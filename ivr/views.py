"""Twilio voice webhooks for each step of the call, and the home page."""

import copy
import inspect
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from calllog import services as calllog
from calllog.models import Call, Step
from directory.models import Prompt
from directory.script import Lines, PlanetOption
from directory.selectors import script_get

from . import speech, twiml, voicemail
from .decorators import apologize, twilio_webhook
from .steps import (
    NO_INPUT,
    NOT_UNDERSTOOD,
    Inbound,
    as_key,
    bounded_int,
    listen,
    listening,
    planet_menu,
    planet_pk,
    record,
    record_step,
    request_params,
)

logger = logging.getLogger("ivr")


def _goodbye_if_out_of_attempts(attempts: int, lines: Lines):
    if attempts >= settings.IVR_MAX_ATTEMPTS:
        return twiml.say_and_hang_up(sentence=lines.sentence(Prompt.Key.GOODBYE))
    return None


def _dial(inbound: Inbound, lines: Lines, planet: PlanetOption):
    """Connect the caller to a planet; a closed one says when it opens, then offers a message
    (when it takes them) or the planet menu."""
    closed = lines.closed(planet, now=timezone.now())
    if closed:
        return voicemail.offer(inbound, lines, planet.pk, before=closed) or planet_menu(
            inbound, lines, attempts=inbound.attempts, before=closed
        )
    return twiml.dial(
        number=planet.phone_number,
        action_url=inbound.next_url("ivr:dialed", planet=planet.pk),
    )


def _confirm(inbound: Inbound, lines: Lines, planet: PlanetOption, *, attempts: int, before=None):
    return twiml.confirm(
        sentence=lines.sentence(Prompt.Key.CONFIRM_PLANET).fill(planet=lines.spoken_name(planet)),
        confirm_url=inbound.next_url("ivr:confirm", attempts=attempts, planet=planet.pk),
        listening=listening(lines, speech.vocabulary(lines).confirm_hints),
        before=before,
    )


def _a_miss(pressed: str) -> str:
    """The prompt before a menu is read again after a miss."""
    if pressed == NO_INPUT:
        return Prompt.Key.NO_INPUT
    return Prompt.Key.NOT_UNDERSTOOD if pressed == NOT_UNDERSTOOD else Prompt.Key.INVALID_KEY


def _back_to_welcome(inbound: Inbound, sentence, *, attempts: int):
    return twiml.say_and_redirect(
        sentence=sentence, url=inbound.next_url("ivr:welcome", attempts=attempts)
    )


def _welcome(inbound: Inbound, lines: Lines):
    return twiml.welcome(
        sentences=lines.greeting(),
        menu_url=inbound.next_url("ivr:menu", language=lines.language),
        listening=listening(lines, speech.vocabulary(lines).main_hints),
    )


@twilio_webhook
def welcome(request):
    """Step 1: greet the caller, offer the other languages, and gather the main-menu key."""
    script = script_get()
    inbound = Inbound.of(request, script)
    response = _welcome(inbound, inbound.lines(script))
    if inbound.sequence == 0:
        record(
            inbound.params,
            calllog.call_start,
            from_number=inbound.params.get("From", "")[:32],
            to_number=inbound.params.get("To", "")[:32],
            language=inbound.language.code,
            directory_revision=script.revision,
        )
    else:
        record_step(inbound, request, Step.Kind.MAIN_MENU)
    return response


@twilio_webhook
def menu(request):
    """Step 2: key 1 (or its words) hears the directions, key 2 the planet menu, a language's
    key the main menu in that language, a planet's name that planet; anything else starts
    over."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = inbound.lines(script)
    pressed, planet = inbound.pressed, None
    if (understood := listen(inbound, speech.vocabulary(lines).main)) is not None:
        planet = lines.active_planet(understood.planet_pk)
        pressed = as_key(understood)
    chosen = script.language_for_key(pressed)
    if planet is not None:
        response = (
            _dial(inbound, lines, planet)
            if understood.sure
            else _confirm(inbound, lines, planet, attempts=inbound.attempts)
        )
    elif pressed == "1":
        response = twiml.directions(sentences=lines.directions())
    elif pressed == "2":
        response = planet_menu(inbound, lines, attempts=inbound.attempts)
    elif chosen is not None:
        response = _welcome(inbound, inbound.lines(script, chosen))
        record(inbound.params, calllog.call_language, language=chosen.code)
    else:
        attempts = inbound.attempts + 1
        first = (
            _a_miss(pressed)
            if pressed in (NO_INPUT, NOT_UNDERSTOOD)
            else Prompt.Key.RETURNING_TO_MENU
        )
        response = _goodbye_if_out_of_attempts(attempts, lines) or _back_to_welcome(
            inbound, lines.sentence(first), attempts=attempts
        )
    record_step(
        inbound, request, Step.Kind.MENU_KEY, digits=inbound.pressed, planet_id=planet and planet.pk
    )
    return response


@twilio_webhook
def planets(request):
    """Step 3: a planet's key or name dials it (a doubtful name is confirmed first), star or
    "back" goes back, anything else hears the menu again."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = inbound.lines(script)
    pressed, chosen, sure = inbound.pressed, None, True
    if (understood := listen(inbound, speech.vocabulary(lines).planets)) is not None:
        chosen, sure = lines.active_planet(understood.planet_pk), understood.sure
        pressed = as_key(understood)
    elif pressed != "*":
        chosen = lines.planet_for_key(pressed)
    if chosen is not None:
        response = (
            _dial(inbound, lines, chosen)
            if sure
            else _confirm(inbound, lines, chosen, attempts=inbound.attempts)
        )
    elif pressed == "*":
        response = _back_to_welcome(
            inbound, lines.sentence(Prompt.Key.RETURNING_TO_MENU), attempts=inbound.attempts
        )
    else:
        attempts = inbound.attempts + 1
        response = _goodbye_if_out_of_attempts(attempts, lines) or planet_menu(
            inbound, lines, attempts=attempts, before=[lines.sentence(_a_miss(pressed))]
        )
    record_step(
        inbound,
        request,
        Step.Kind.PLANET_KEY,
        digits=inbound.pressed,
        planet_id=chosen and chosen.pk,
    )
    return response


@twilio_webhook
def confirm(request):
    """Step 3a: after a doubtful name, yes (or 1) dials the planet, no (or 2) goes back to the
    planet menu; anything else asks again."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = inbound.lines(script)
    planet = lines.active_planet(planet_pk(request))
    pressed = inbound.pressed
    if (understood := listen(inbound, speech.vocabulary(lines).confirm)) is not None:
        pressed = as_key(understood)
    if planet is None or pressed == "2":
        # A planet deactivated meanwhile cannot be dialed: the caller chooses again.
        response = planet_menu(inbound, lines, attempts=inbound.attempts)
    elif pressed == "1":
        response = _dial(inbound, lines, planet)
    else:
        attempts = inbound.attempts + 1
        response = _goodbye_if_out_of_attempts(attempts, lines) or _confirm(
            inbound, lines, planet, attempts=attempts, before=lines.sentence(_a_miss(pressed))
        )
    record_step(
        inbound,
        request,
        Step.Kind.CONFIRM,
        digits=inbound.pressed,
        planet_id=planet and planet.pk,
    )
    return response


@twilio_webhook
def dialed(request):
    """Step 4: after the Dial; a completed call ends politely, any other outcome offers a message
    (when the planet takes them) or the planet menu again."""
    script = script_get()
    inbound = Inbound.of(request, script)
    lines = inbound.lines(script)
    dial_status = inbound.params.get("DialCallStatus", "")[:16]
    pk = planet_pk(request)
    if dial_status == "completed":
        response = twiml.say_and_hang_up(sentence=lines.sentence(Prompt.Key.DIAL_COMPLETED))
    else:
        # A planet deleted while it was being dialed has no name left to say; offer the menu.
        failed = lines.dial_failed(pk)
        before = [failed] if failed else []
        response = voicemail.offer(inbound, lines, pk, before=before) or planet_menu(
            inbound, lines, attempts=inbound.attempts, before=before
        )
    record_step(
        inbound,
        request,
        Step.Kind.DIAL_OUTCOME,
        planet_id=pk,
        dial_status=dial_status,
        dial_duration=bounded_int(inbound.params.get("DialCallDuration", ""), upper=10**9) or None,
    )
    return response


@twilio_webhook
def status(request):
    """Twilio's status callback at the end of a call: its final status and duration."""
    params = request_params(request)
    call_status = params.get("CallStatus", "")
    if call_status in Call.Status.values:
        record(
            params,
            calllog.call_end,
            from_number=params.get("From", "")[:32],
            to_number=params.get("To", "")[:32],
            status=call_status,
            duration=bounded_int(params.get("CallDuration", ""), upper=10**9),
        )
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


def _failed_step(error_url: str):
    """The step view behind the URL Twilio could not get an answer from, if it is ours."""
    try:
        match = resolve(urlsplit(error_url).path)
    except Resolver404:
        return None
    return inspect.unwrap(match.func) if match.view_name in REPLAYABLE else None


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
        return apologize()
    # Twilio signed ErrorUrl in this request, so its query (step, attempts, language) is ours;
    # the call's parameters come along. A replay of a step that was in fact answered writes
    # the same log entries, which the call log keeps once.
    replay = copy.copy(request)
    replay.method = "POST"
    replay.GET = QueryDict(urlsplit(error_url).query)
    replay.POST = params.copy()
    for name in ("ErrorCode", "ErrorUrl"):
        replay.POST.pop(name, None)
    return step(replay)


@twilio_webhook
def elsewhere(request, path=""):
    """Any other /ivr/ URL (a mistyped console setting, a stray slash): back to the main menu."""
    script = script_get()
    inbound = Inbound.of(request, script)
    return twiml.say_and_redirect(
        sentence=inbound.lines(script).sentence(Prompt.Key.RETURNING_TO_MENU),
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
            # DJANGO_ADMIN_URL keeps the admin's path from whoever does not know it: only
            # signed-in staff are shown it.
            "admin_url": reverse("admin:index") if request.user.is_staff else "",
        },
    )
