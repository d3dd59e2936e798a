"""Where a simulated caller is in the tree: the name of the menu a Gather listens for, read from
the URL its answer goes to (the step engine's own query string) and the directory."""

from urllib.parse import parse_qs, urlsplit

from django.db import DatabaseError
from django.urls import Resolver404, resolve
from django.utils.translation import gettext

from directory.models import Action
from directory.selectors import script_get


def menu_name(action_url: str, *, called: str) -> str:
    """What staff call the step a caller answers at this URL: a menu's name, the planet
    directory, a question; "" for a URL that is not one of our steps."""
    parts = urlsplit(action_url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    step = match.kwargs.get("step", "") if match.namespace == "ivr" else ""
    if step == "menu":
        query = parse_qs(parts.query)
        try:
            script = script_get()
        except DatabaseError:  # the directory cannot be read here: the call goes on unnamed
            return ""
        return script.call_menu(requested=query.get("menu", [""])[0], called=called).name
    return {
        "planets": gettext("Planet directory"),
        "confirm": gettext("Did you say…?"),
        "voicemail_offered": gettext("Voicemail offer"),
    }.get(step, "")


def text_sent(url: str, params: dict, *, called: str) -> str:
    """The text message a caller's answer at a menu sends (posted to `url` with `params`):
    by its key, its exact words, or silence where the menu answers silence; "" for none."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    if match.namespace != "ivr" or match.kwargs.get("step") != "menu":
        return ""
    query = parse_qs(parts.query)
    try:
        script = script_get()
    except DatabaseError:
        return ""
    menu = script.call_menu(requested=query.get("menu", [""])[0], called=called)
    language = script.call_language(requested=query.get("lang", [""])[0], called=called)
    wording = script.wording(language)
    digits, words = params.get("Digits", ""), params.get("SpeechResult", "").strip().casefold()
    option = menu.by_key.get(digits) if digits else None
    if option is None and words:
        option = next(
            (
                o
                for o in menu.options
                for code in (language.code, script.default.code)
                if words in (phrase.casefold() for phrase in o.words.get(code, ()))
            ),
            None,
        )
    if option is None and not digits and not words:
        option = menu.by_key.get(menu.silence_key)
    if option is None or option.action != Action.TEXT:
        return ""
    return wording.text_message(option)
