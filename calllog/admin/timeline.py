"""A call's steps said in words, as its page's timeline shows them."""

from django.utils.translation import gettext

from ..models import Call, Step


def status_label(status: str) -> str:
    """A Twilio call status as staff read it ("no answer"); unknown values as they came."""
    return Call.Status(status).label if status in Call.Status.values else status


def describe(step: Step, menus: dict[str, str] | None = None) -> str:
    """One line of the timeline, as staff would say it; menus: their names by short name."""
    menu = (menus or {}).get(step.menu, step.menu)
    if step.kind == Step.Kind.MAIN_MENU:
        if menu:
            return gettext("Back at %(menu)s") % {"menu": menu}
        return gettext("Back at the main menu")
    if step.kind == Step.Kind.VOICEMAIL:
        return gettext("Left a message")
    if step.digits:
        key = gettext("pressed %(digits)s") % {"digits": step.digits}
    elif step.option:
        key = gettext("said the words for %(key)s") % {"key": step.option}
    else:
        key = gettext("pressed nothing")
    if step.kind == Step.Kind.MENU_KEY:
        if menu:
            return gettext("%(menu)s: %(key)s") % {"menu": menu, "key": key}
        return gettext("Main menu: %(key)s") % {"key": key}
    if step.kind == Step.Kind.VOICEMAIL_OFFER:
        return gettext("Voicemail offer: %(key)s") % {"key": key}
    if step.kind == Step.Kind.PLANET_KEY:
        if step.planet:
            return gettext("Planet directory: %(key)s, dialing %(planet)s") % {
                "key": key,
                "planet": step.planet.name,
            }
        return gettext("Planet directory: %(key)s") % {"key": key}
    planet = step.planet.name if step.planet else gettext("the planet")
    status = status_label(step.dial_status) if step.dial_status else gettext("no status")
    if step.dial_duration:
        return gettext("Dial to %(planet)s: %(status)s after %(seconds)s s") % {
            "planet": planet,
            "status": status,
            "seconds": step.dial_duration,
        }
    return gettext("Dial to %(planet)s: %(status)s") % {"planet": planet, "status": status}
