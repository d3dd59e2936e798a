"""Twilio voice webhooks for each step of the call, and the home page."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from directory.models import Prompt
from directory.selectors import directions_in_use, planets_active, prompts_get

from . import twiml
from .decorators import apology, twilio_webhook

logger = logging.getLogger("ivr")

KEYS = "0123456789*#"
NO_INPUT = ""
INVALID = "invalid"


def _params(request):
    return request.POST if request.method == "POST" else request.GET


def _pressed(request) -> str:
    """The key the caller pressed: one of KEYS, NO_INPUT, or INVALID for anything else."""
    digits = _params(request).get("Digits", "")
    if digits == "":
        return NO_INPUT
    return digits if len(digits) == 1 and digits in KEYS else INVALID


def _attempts(request) -> int:
    """Failed attempts so far in this call, carried in our own URLs' query strings."""
    try:
        attempts = int(request.GET.get("attempts", "0"))
    except ValueError:
        return 0
    return min(max(attempts, 0), settings.IVR_MAX_ATTEMPTS)


def _url(name: str, **params: object) -> str:
    """An absolute path to one of our steps; the query string is sorted, as Twilio signs it."""
    params = {key: value for key, value in params.items() if value}
    url = reverse(name)
    return f"{url}?{urlencode(sorted(params.items()))}" if params else url


def _goodbye_if_out_of_attempts(attempts: int, prompts):
    if attempts >= settings.IVR_MAX_ATTEMPTS:
        return twiml.say_and_hang_up(sentence=prompts[Prompt.Key.GOODBYE])
    return None


def _planet_menu(prompts, planets, *, attempts: int, before=None):
    return twiml.planet_menu(
        sentences=twiml.planet_menu_sentences(prompts=prompts, planets=planets),
        planets_url=_url("ivr:planets", attempts=attempts),
        before=before,
    )


@twilio_webhook
def welcome(request):
    """Step 1: greet the caller and gather the main-menu key."""
    prompts = prompts_get()
    return twiml.welcome(
        greeting=prompts[Prompt.Key.GREETING],
        menu_url=_url("ivr:menu", attempts=_attempts(request)),
    )


@twilio_webhook
def menu(request):
    """Step 2: key 1 hears the directions, key 2 the planet menu, anything else starts over."""
    pressed, attempts = _pressed(request), _attempts(request)
    prompts = prompts_get()
    if pressed == "1":
        return twiml.directions(
            directions=directions_in_use() or prompts[Prompt.Key.DIRECTIONS_UNAVAILABLE],
            thank_you=prompts[Prompt.Key.THANK_YOU],
        )
    if pressed == "2":
        planets, _ = planets_active()
        return _planet_menu(prompts, planets, attempts=attempts)
    attempts += 1
    if goodbye := _goodbye_if_out_of_attempts(attempts, prompts):
        return goodbye
    first = Prompt.Key.NO_INPUT if pressed == NO_INPUT else Prompt.Key.RETURNING_TO_MENU
    return twiml.say_and_redirect(
        sentences=[prompts[first]], url=_url("ivr:welcome", attempts=attempts)
    )


@twilio_webhook
def planets(request):
    """Step 3: a planet's key dials it, star goes back, anything else hears the menu again."""
    pressed, attempts = _pressed(request), _attempts(request)
    prompts = prompts_get()
    if pressed == "*":
        return twiml.say_and_redirect(
            sentences=[prompts[Prompt.Key.RETURNING_TO_MENU]],
            url=_url("ivr:welcome", attempts=attempts),
        )
    active, _ = planets_active()
    chosen = next((planet for planet in active if planet.key == pressed), None)
    if chosen is not None:
        return twiml.dial(
            number=chosen.phone_number,
            action_url=_url("ivr:dialed", attempts=attempts, planet=chosen.pk),
        )
    attempts += 1
    if goodbye := _goodbye_if_out_of_attempts(attempts, prompts):
        return goodbye
    before = Prompt.Key.NO_INPUT if pressed == NO_INPUT else Prompt.Key.INVALID_KEY
    return _planet_menu(prompts, active, attempts=attempts, before=prompts[before])


@twilio_webhook
def dialed(request):
    """Step 4: after the Dial; a completed call ends politely, any other outcome retries."""
    prompts = prompts_get()
    if _params(request).get("DialCallStatus") == "completed":
        return twiml.say_and_hang_up(sentence=prompts[Prompt.Key.DIAL_COMPLETED])
    try:
        pk = int(request.GET.get("planet", ""))
    except ValueError:
        pk = None
    active, planet = planets_active(also_pk=pk)
    # A planet deleted while it was being dialed has no name left to say; just offer the menu.
    failed = planet and twiml.fill(prompts[Prompt.Key.DIAL_FAILED], planet=planet.spoken_name)
    return _planet_menu(prompts, active, attempts=_attempts(request), before=failed)


@twilio_webhook
def fallback(request):
    """Twilio's Fallback URL, used when another step failed: apologise, touching no database."""
    params = _params(request)
    logger.error(
        "Twilio used the fallback URL for call %s: ErrorCode=%s ErrorUrl=%s",
        params.get("CallSid", "(unknown)")[:64],
        params.get("ErrorCode", "")[:16],
        params.get("ErrorUrl", "")[:500],
    )
    return apology()


@twilio_webhook
def elsewhere(request, path=""):
    """Any other /ivr/ URL (a mistyped console setting, a stray slash): back to the main menu."""
    prompts = prompts_get()
    return twiml.say_and_redirect(
        sentences=[prompts[Prompt.Key.RETURNING_TO_MENU]], url=_url("ivr:welcome")
    )


def home(request):
    """What this is, and the webhook URL to paste into the Twilio console."""
    return render(
        request,
        "ivr/home.html",
        {
            "welcome_url": request.build_absolute_uri(reverse("ivr:welcome")),
            "admin_url": reverse("admin:index"),
        },
    )
