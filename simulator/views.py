"""The browser phone: a page for staff, and the JSON step the page posts each key press to."""

import json
from dataclasses import asdict

from django.conf import settings
from django.core import signing
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from directory.models import Language

from .events import Gathering, Requested, Turn, Waiting
from .interpreter import (
    DEFAULT_CONFIDENCE,
    DIAL_OUTCOMES,
    DOCUMENT_ENDED,
    HUNG_UP,
    PHONE_KEYS,
    Interpreter,
)
from .menus import menu_name, text_sent
from .transports import in_process_for, with_language

KEYPAD = [
    ("1", ""),
    ("2", "ABC"),
    ("3", "DEF"),
    ("4", "GHI"),
    ("5", "JKL"),
    ("6", "MNO"),
    ("7", "PQRS"),
    ("8", "TUV"),
    ("9", "WXYZ"),
    ("*", ""),
    ("0", "+"),
    ("#", ""),
]
DIAL_OUTCOME_LABELS = dict(
    zip(DIAL_OUTCOMES, [_("Answers"), _("Busy"), _("No answer"), _("Call fails")], strict=True)
)
# The call in progress travels with the page, signed so that only this server's own turns resume.
STATE_SALT = "simulator.call"
STATE_MAX_AGE_SECONDS = 2 * 60 * 60


class BadStep(Exception):
    pass


# The words simulator.js writes into the page; {name} marks a value the script fills in.
PAGE_LABELS = {
    # A dial's outcome, as the chip beside the number says it.
    "outcomes": {
        "completed": _("Answered"),
        "busy": _("Busy"),
        "no-answer": _("No answer"),
        "failed": _("Failed"),
    },
    "call": _("Call"),
    "hang_up": _("Hang up"),
    "phone_tree": _("Phone tree"),
    "looped": _("looped"),
    "plays": _("♪ Plays {url}"),
    "pause": _("Pause, {seconds} s"),
    "waiting_for_a_key": _("Waiting for 1 key · {seconds} s"),
    "waiting_for_keys": _("Waiting for {count} keys · {seconds} s"),
    "waiting_for_any_keys": _("Waiting for keys · {seconds} s"),
    "recording": _("(recording a message; press {keys} to finish)"),
    "recording_any_length": _("(recording a message)"),
    "press_a_key": _("Press a key"),
    "press_keys": _("Press keys"),
    "you_pressed": _("You pressed"),
    "you_said": _("You said"),
    "confidence": _("confidence {confidence}"),
    "not_listening": _("“{words}” went unheard: this menu listens for keys only"),
    "or_words_in": _("or words in {language}"),
    "press_or_say": _("Press a key or say something"),
    "said_nothing": _("You said nothing ({seconds} s went by)"),
    "unheard": _("Keys {keys} went unheard"),
    "dialing": _("Dialing"),
    "dialing_number": _("Dialing {number}"),
    "call_ended_because": _("Call ended · {reason}"),
    # The interpreter's reasons for a normal end, in English, by their English words.
    "reasons": {
        HUNG_UP: _("the app hung up"),
        DOCUMENT_ENDED: _("the TwiML document ended"),
    },
    "you_hung_up": _("Call ended · you hung up"),
    "answered_badly": _("The app answered badly"),
    "call_failed": _("Call failed"),
    "status_hung_up": _("You hung up"),
    "call_ended": _("Call ended"),
    "http_error": _("The simulator answered HTTP {status}."),
    "unreachable": _("Could not reach the simulator: {error}"),
    "calling": _("Calling…"),
    "ready": _("Ready to call"),
    "cannot_read_aloud": _("This browser cannot read aloud."),
    "at_menu": _("At the menu “{menu}”"),
    "text_message": _("Text message to the caller (the simulator sends none):"),
}


def page_labels(labels: dict = PAGE_LABELS) -> dict:
    """The page's words in the staff member's language."""
    return {
        name: page_labels(label) if isinstance(label, dict) else str(label)
        for name, label in labels.items()
    }


def _is_staff(user) -> bool:
    return user.is_active and user.is_staff


def phone(request):
    """The simulator page: a keypad, a transcript, and what a dialed planet does."""
    if not _is_staff(request.user):
        # Not a redirect to the admin's sign-in: that would give away DJANGO_ADMIN_URL.
        return HttpResponseForbidden(
            gettext("Sign in as staff to use the simulator."),
            content_type="text/plain; charset=utf-8",
        )
    return render(
        request,
        "simulator/phone.html",
        {
            "keypad": KEYPAD,
            "dial_outcomes": DIAL_OUTCOME_LABELS.items(),
            "signs_requests": bool(settings.TWILIO_AUTH_TOKEN),
            "admin_url": reverse("admin:index"),
            "labels": page_labels(),
            "default_confidence": DEFAULT_CONFIDENCE,
            "languages": Language.objects.order_by("-is_default", "position", "code"),
        },
    )


@require_POST
def step(request):
    """One step of a call in the browser: start, press keys, say words or stay silent; the turn
    as JSON."""
    if not _is_staff(request.user):
        return JsonResponse(
            {"error": gettext("Sign in as staff to use the simulator.")}, status=403
        )
    try:
        action, keys, dial_outcome, waiting, language, words, confidence = _read_step(request.body)
    except BadStep as error:
        return JsonResponse({"error": str(error)}, status=400)
    transport = in_process_for(request)
    interpreter = Interpreter(transport, dial_outcome=dial_outcome)
    if action == "start":
        turn = interpreter.start(with_language(transport.entry_url, language))
    elif action == "press":
        turn = interpreter.press(waiting, keys)
    elif action == "say":
        turn = interpreter.say(waiting, words, confidence=confidence)
    else:
        turn = interpreter.stay_silent(waiting)
    return JsonResponse(_turn_json(turn))


def _read_step(body: bytes):
    try:
        payload = json.loads(body)
        action = payload["action"]
        keys = payload.get("keys", "")
        dial_outcome = payload.get("dial_outcome", "completed")
        state = payload.get("state")
        language = payload.get("language", "")
        words = payload.get("words", "")
        confidence = payload.get("confidence")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BadStep(gettext("Send a JSON object with an action.")) from error
    if action not in ("start", "press", "say", "silence"):
        raise BadStep(gettext("The action is start, press, say or silence."))
    if action == "say" and not (isinstance(words, str) and words.strip() and len(words) <= 500):
        raise BadStep(gettext("Say some words, at most 500 characters."))
    if confidence is None:
        confidence = DEFAULT_CONFIDENCE
    if isinstance(confidence, bool) or not (
        isinstance(confidence, int | float) and 0 <= confidence <= 1
    ):
        raise BadStep(gettext("The confidence is a number from 0 to 1."))
    if dial_outcome not in DIAL_OUTCOMES:
        outcomes = ", ".join(DIAL_OUTCOMES)
        raise BadStep(gettext("The dial outcome is one of %(outcomes)s.") % {"outcomes": outcomes})
    if action == "press" and not (isinstance(keys, str) and len(keys) == 1 and keys in PHONE_KEYS):
        raise BadStep(gettext("Press one key: 0-9, * or #."))
    if not (isinstance(language, str) and len(language) <= 35):
        raise BadStep(gettext("The language is a code such as ja-JP."))
    if action == "start":
        return action, keys, dial_outcome, None, language, words, confidence
    try:
        waiting = Waiting(**signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS))
    except (signing.BadSignature, TypeError) as error:
        raise BadStep(gettext("This call is over or too old to go on; start a new one.")) from error
    return action, keys, dial_outcome, waiting, language, words, float(confidence)


def _turn_json(turn: Turn) -> dict:
    state = None
    if turn.waiting is not None:
        state = signing.dumps(asdict(turn.waiting), salt=STATE_SALT, compress=True)
    called = turn.waiting.call.get("To", "") if turn.waiting else ""
    return {
        "events": [
            {
                "kind": type(event).__name__.lower(),
                "line": str(event),
                **asdict(event),
                # Where in the tree a caller answers: the menu's name, as staff named it.
                **(
                    {"menu": menu_name(event.action, called=called)}
                    if isinstance(event, Gathering)
                    else {}
                ),
                # What a text-message option would send the caller (the simulator sends none).
                **(
                    {"text": text_sent(event.url, event.params, called=event.params.get("To", ""))}
                    if isinstance(event, Requested)
                    else {}
                ),
            }
            for event in turn.events
        ],
        "state": state,
        "digits": turn.waiting.digits if turn.waiting else "",
        "error": turn.error,
    }
