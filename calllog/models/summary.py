"""How a call's row sums up what it did: the planets it dialed, its answers at menus."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def planet_set(ids) -> str:
    """A set of planets as a call's summary keeps it: ids between commas (",2,3,"), or ""."""
    return f",{','.join(str(pk) for pk in ids)}," if ids else ""


def planet_ids(planets: str) -> set[int]:
    """The ids in a set of planets written by planet_set() (in any order, as merged)."""
    return {int(pk) for pk in planets.split(",") if pk}


class MenuOutcome(models.TextChoices):
    """What the caller's answer at a menu was."""

    CHOSE = "chose", _("chose an option")
    PLANET = "planet", _("named a planet")
    NO_INPUT = "no_input", _("said nothing")
    WRONG_KEY = "wrong_key", _("pressed a wrong key")
    NOT_UNDERSTOOD = "not_understood", _("was not understood")
    OUT_OF_ATTEMPTS = "out_of_attempts", _("ran out of attempts")


# How a call's menu_answers write each outcome after the menu's short name ("main:n"); a
# chosen option is written as its key ("main:2"), which is never one of these letters.
OUTCOME_CODES = {
    MenuOutcome.PLANET: "p",
    MenuOutcome.NO_INPUT: "n",
    MenuOutcome.WRONG_KEY: "w",
    MenuOutcome.NOT_UNDERSTOOD: "u",
    MenuOutcome.OUT_OF_ATTEMPTS: "x",
}
OUTCOMES_BY_CODE = {code: outcome for outcome, code in OUTCOME_CODES.items()}


def menu_token(menu: str, outcome: str, option: str = "") -> str:
    """One answer at a menu as a call's menu_answers keep it (",main:2,"), or "" for none."""
    if not menu or not outcome:
        return ""
    return f",{menu}:{option if outcome == MenuOutcome.CHOSE else OUTCOME_CODES[outcome]},"


def menu_tokens(answers: str) -> set[tuple[str, str]]:
    """The (menu, key or outcome code) pairs in a call's menu_answers, in any order."""
    return {tuple(token.rsplit(":", 1)) for token in answers.split(",") if ":" in token}
