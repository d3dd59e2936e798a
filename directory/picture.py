"""The phone tree drawn whole, as staff read it: from each entry, every menu, its options (key
and words) and where each leads; and, where the call log lends them, its calls' figures.

The directory knows nothing of the calls. A room above it that does (the call log) lends its
figures by registering a source in its AppConfig.ready() (figures_source()); the picture asks
every source with the staff member looking, who may not be allowed to see them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext

from .models import CalledNumber, Menu, Option, OptionWord
from .selectors import menus_unreached, option_leads_to


@dataclass(frozen=True)
class Figures:
    """A menu's calls over the last days: how many reached it, and chose each option (by key)."""

    reached: int
    chose: dict[str, int]


# Sources of per-menu figures: called with the staff member, they answer {menu slug: Figures},
# or None when that staff member may not see them.
_sources: list[Callable[[object], dict[str, Figures] | None]] = []


def figures_source(source: Callable[[object], dict[str, Figures] | None]) -> None:
    """Lend the picture per-menu figures (see the module's docstring)."""
    if source not in _sources:
        _sources.append(source)


@dataclass
class OptionBox:
    option: Option
    # The words a caller may say for it, per language code.
    words: list[tuple[str, list[str]]]
    leads_to: str
    # The menu it leads to, drawn inside it the first time it is met, else named with a link.
    menu: "MenuBox | None" = None
    drawn_elsewhere: Menu | None = None
    chose: int | None = None


@dataclass
class MenuBox:
    menu: Menu
    options: list[OptionBox] = field(default_factory=list)
    reached: int | None = None


@dataclass(frozen=True)
class Entry:
    """Where calls start: the numbers (or every other number) whose callers hear a menu first."""

    label: str
    box: MenuBox | None
    drawn_elsewhere: Menu | None


@dataclass(frozen=True)
class Picture:
    entries: list[Entry]
    # Menus no entry reaches, each drawn with what it leads to (that nothing else drew).
    unreached: list[MenuBox]
    with_figures: bool


def tree_picture(viewer) -> Picture:
    """The whole tree as boxes: each menu drawn in full once, where it is first met."""
    menus = _menus()
    drawing = _Drawing(menus, _figures(viewer))
    default = next(iter(sorted(menus.values(), key=_start_first)), None)
    numbers = list(CalledNumber.objects.select_related("entry_menu").order_by("number"))
    label = gettext("Calls to any other number") if numbers else gettext("Every call")
    entries = [drawing.entry(label, default)]
    sees_numbers = viewer.has_perm("directory.view_callednumber")
    for n, number in enumerate(numbers, start=1):
        label = (
            gettext("Calls to %(number)s") % {"number": number.number}
            if sees_numbers
            else gettext("Calls to our number %(n)s") % {"n": n}
        )
        entries.append(drawing.entry(label, number.entry_menu or default))
    unreached = [
        drawing.draw(menus[menu.pk]) for menu in menus_unreached() if menu.pk not in drawing.drawn
    ]
    return Picture(entries, unreached, with_figures=drawing.figures is not None)


def _menus() -> dict[int, Menu]:
    """Every menu by pk, with its options (in order), their targets and words."""
    words = Prefetch("words", queryset=OptionWord.objects.select_related("language"))
    options = (
        Option.objects.select_related("target_menu", "target_planet", "target_language")
        .prefetch_related(words)
        .order_by("position", "key")
    )
    return {
        menu.pk: menu
        for menu in Menu.objects.prefetch_related(Prefetch("options", queryset=options))
    }


def _figures(viewer) -> dict[str, Figures] | None:
    """The calls' figures per menu from the first source that lends them to this viewer."""
    for source in _sources:
        if (figures := source(viewer)) is not None:
            return figures
    return None


class _Drawing:
    """The boxes drawn so far: a menu is drawn once, where it is first met."""

    def __init__(self, menus: dict[int, Menu], figures: dict[str, Figures] | None):
        self.menus, self.figures = menus, figures
        self.drawn: set[int] = set()

    def entry(self, label: str, menu: Menu | None) -> Entry:
        if menu is None:
            return Entry(label, None, None)
        if menu.pk in self.drawn:
            return Entry(label, None, menu)
        return Entry(label, self.draw(self.menus[menu.pk]), None)

    def draw(self, menu: Menu) -> MenuBox:
        self.drawn.add(menu.pk)
        counted = None
        if self.figures is not None:
            counted = self.figures.get(menu.slug) or Figures(reached=0, chose={})
        box = MenuBox(menu, reached=counted and counted.reached)
        box.options.extend(self._option(option, counted) for option in menu.options.all())
        return box

    def _option(self, option: Option, counted: Figures | None) -> OptionBox:
        phrases: dict[str, list[str]] = {}
        for word in sorted(option.words.all(), key=lambda w: (w.language.code, w.pk)):
            phrases.setdefault(word.language.code, []).append(word.phrase)
        box = OptionBox(
            option,
            words=sorted(phrases.items()),
            leads_to=option_leads_to(option),
            chose=counted and counted.chose.get(option.key, 0),
        )
        target = self.menus.get(option.target_menu_id)
        if target is not None:
            # An inactive option leads nowhere: its menu is drawn where calls reach it, or with
            # the menus no call reaches.
            if target.pk in self.drawn or not option.is_active:
                box.drawn_elsewhere = target
            else:
                box.menu = self.draw(target)
        return box


def _start_first(menu: Menu):
    return (not menu.is_default, menu.name, menu.pk)
