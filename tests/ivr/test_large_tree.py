"""A tree of 50 menus of 10 options over 500 planets: each webhook's database work is the demo's,
its TwiML stays bounded, and a staff change is heard at once."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import (
    DIRECTIONS_PLACEHOLDER,
    Action,
    Announcement,
    Language,
    Menu,
    MenuPrompt,
    Option,
    OptionText,
    OptionWord,
    Planet,
    PlanetName,
)
from ivr.twiml import HINT_LENGTH, HINTS_LIMIT
from tests.conftest import parse_twiml, spoken
from tests.ivr.test_large_directory import make_directory

pytestmark = pytest.mark.django_db

MENUS = 50
# What each key of every menu does, and the words a caller may say for it (in English).
KEYS = {
    "0": (Action.PLANET, "operator"),
    "1": (Action.ANNOUNCE, "directions"),
    "2": (Action.DIRECTORY, "planets"),
    "3": (Action.MENU, "next menu"),
    "4": (Action.ANNOUNCE, "opening times"),
    "5": (Action.MENU, "main menu"),
    "6": (Action.VOICEMAIL, "leave a message"),
    "7": (Action.HANG_UP, "goodbye"),
    "8": (Action.LANGUAGE, "english"),
    "9": (Action.LANGUAGE, "japanese"),
}


def slug(index: int) -> str:
    return "main" if index == 0 else f"menu-{index:02d}"


def make_tree(planets: list[Planet]) -> list[Menu]:
    """MENUS menus (the first where calls start), each with keys 0-9 doing KEYS' actions: 3 leads
    on to the next menu (the last back to the first), 1 says the directions then goes to the
    first menu, 4 says opening times then goes to the
    first menu in even menus and hangs up in odd ones. Every option has a sentence and words
    in English; menus say their name in English and Japanese."""
    english, japanese = Language.objects.get(code="en-GB"), Language.objects.get(code="ja-JP")
    menus = Menu.objects.bulk_create(
        Menu(name=f"Menu {index:02d}", slug=slug(index), is_default=index == 0)
        for index in range(MENUS)
    )
    MenuPrompt.objects.bulk_create(
        MenuPrompt(menu=menu, language=language, text=f"{text} {index}.")
        for index, menu in enumerate(menus)
        for language, text in ((english, "This is menu"), (japanese, "メニュー"))
    )
    targets = {
        "0": lambda i: {"target_planet": planets[i]},
        "1": lambda i: {"target_menu": menus[0]},
        "3": lambda i: {"target_menu": menus[(i + 1) % MENUS]},
        "4": lambda i: {"target_menu": menus[0]} if i % 2 == 0 else {},
        "5": lambda i: {"target_menu": menus[0]},
        "6": lambda i: {"target_planet": planets[-1 - i]},
        "8": lambda i: {"target_language": english},
        "9": lambda i: {"target_language": japanese},
    }
    options = Option.objects.bulk_create(
        Option(
            menu=menu,
            key=key,
            position=10 * int(key),
            action=action,
            **targets.get(key, lambda i: {})(index),
        )
        for index, menu in enumerate(menus)
        for key, (action, _words) in KEYS.items()
    )
    OptionText.objects.bulk_create(
        OptionText(
            option=option, language=english, text=f"For {KEYS[option.key][1]}, press {{key}}."
        )
        for option in options
    )
    OptionWord.objects.bulk_create(
        OptionWord(option=option, language=english, phrase=phrase)
        for option in options
        for phrase in (KEYS[option.key][1], f"{KEYS[option.key][1]} please")
    )
    said = {
        "1": [DIRECTIONS_PLACEHOLDER],
        "4": ["We are open from nine to five."],
        "7": ["Goodbye from the big tree."],
    }
    Announcement.objects.bulk_create(
        Announcement(option=option, language=english, position=10 * position, text=text)
        for option in options
        for position, text in enumerate(said.get(option.key, []))
    )
    return menus


def large_tree():
    """The demo's languages and prompts, with its tree and planets replaced by MENUS menus over
    500 planets."""
    Option.objects.all().delete()
    Menu.objects.all().delete()
    Planet.objects.all().delete()
    planets = make_directory(500)
    make_tree(planets)
    return planets


def post(client, name, query="", **params):
    return parse_twiml(client.post(reverse(name) + query, params))


def gather_action(root) -> dict:
    url = urlsplit(root.find("Gather").get("action"))
    return {"path": url.path, **{k: v[0] for k, v in parse_qs(url.query).items()}}


# Each webhook kind as the same request on both trees; "{pk}", "{key}" and "{name}" are a
# planet of the tree it is asked of (the demo's Dagobah; the 500th planet).
REQUESTS = {
    "welcome at the first menu": ("ivr:welcome", "", {}),
    "welcome at a deep submenu": ("ivr:welcome", "?menu=menu-37&step=3", {}),
    "menu answer by key": ("ivr:menu", "?step=1", {"Digits": "2"}),
    "menu answer by key in a submenu": ("ivr:menu", "?menu=menu-37&step=3", {"Digits": "1"}),
    "menu answer switching language": ("ivr:menu", "?step=1", {"Digits": "9"}),
    "menu answer by speech": (
        "ivr:menu",
        "?step=1",
        {"SpeechResult": "planets", "Confidence": "0.9"},
    ),
    "menu answer by a planet's name": (
        "ivr:menu",
        "?step=1",
        {"SpeechResult": "{name}", "Confidence": "0.9"},
    ),
    "planets answer by extension": ("ivr:planets", "?step=2", {"Digits": "{key}"}),
    "planets answer by name": (
        "ivr:planets",
        "?step=2",
        {"SpeechResult": "{name}", "Confidence": "0.9"},
    ),
    "planets answer by a wrong key": ("ivr:planets", "?step=2", {"Digits": "0"}),
    "confirm": ("ivr:confirm", "?planet={pk}&step=3", {"Digits": "1"}),
    "dialed": ("ivr:dialed", "?planet={pk}&step=4", {"DialCallStatus": "busy"}),
    "voicemail offered": ("ivr:voicemail_offered", "?planet={pk}&step=5", {"Digits": "1"}),
}


def ask(client, request, planet: Planet, call_sid: str):
    """One request of REQUESTS about this planet: its query count, the answer's verbs, and the
    directory's tables it read."""
    name, query, params = request
    values = {"pk": planet.pk, "key": planet.key, "name": planet.name}
    params = {key: value.format(**values) for key, value in params.items()}
    url = reverse(name) + query.format(**values)
    post(client, "ivr:welcome")  # a warm script: read once per change, not per request
    # A request empties the query log as it starts: counting from an empty log counts it all.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        root = parse_twiml(client.post(url, {"CallSid": call_sid, **params}))
    tables = {
        table for query in queries for table in re.findall(r'"(directory_\w+)"', query["sql"])
    }
    return len(queries), [child.tag for child in root], tables


@pytest.mark.parametrize("request_name", REQUESTS)
def test_each_webhook_asks_the_database_as_much_on_a_large_tree_as_on_the_demo(
    client, demo, request_name
):
    """Every webhook kind costs the same queries with 50 menus and 500 planets as on the demo."""
    request = REQUESTS[request_name]
    demo_count, demo_verbs, _tables = ask(
        client, request, Planet.objects.get(name="Dagobah"), "CA-demo"
    )
    assert demo_count >= 1  # the revision, at least

    planets = large_tree()
    count, verbs, tables = ask(client, request, planets[-1], "CA-large")
    # The same kind of answer: the request means the same on both trees.
    assert verbs == demo_verbs
    assert count == demo_count
    # Of the directory, a warm script reads only the revision token: no menu, option or planet.
    assert tables == {"directory_revision"}


def test_the_large_trees_keys_each_do_their_action(client, demo):
    """Every key of a deep submenu answers as its action says (the tree is what it claims)."""
    planets = large_tree()
    answers = {
        key: post(client, "ivr:menu", "?menu=menu-37&step=3", Digits=key, CallSid="CA1")
        for key in KEYS
    }
    assert answers["0"].find("Dial").text == planets[37].phone_number
    # The directions, then the first menu (as the demo's key 1 goes on to a menu).
    assert spoken(answers["1"].find("Gather"))[0] == "This is menu 0."
    assert gather_action(answers["2"])["path"] == reverse("ivr:planets")
    assert spoken(answers["3"].find("Gather"))[0] == "This is menu 38."
    # Menu 37 is odd: its opening times hang up after the message.
    assert [child.tag for child in answers["4"]] == ["Say", "Hangup"]
    assert spoken(answers["5"].find("Gather"))[0] == "This is menu 0."
    record = answers["6"].find("Record")
    assert parse_qs(urlsplit(record.get("action")).query)["planet"] == [str(planets[-38].pk)]
    assert spoken(answers["7"]) == ["Goodbye from the big tree."]
    assert spoken(answers["9"].find("Gather"))[0] == "メニュー 37."
    assert gather_action(answers["9"])["lang"] == "ja-JP"


def test_speech_chooses_an_option_of_a_deep_submenu_among_500_planet_names(client, demo):
    large_tree()
    root = post(
        client,
        "ivr:menu",
        "?menu=menu-36&step=3",
        SpeechResult="opening times please",
        Confidence="0.9",
    )
    # Menu 36 is even: opening times lead on to the first menu.
    assert spoken(root)[0] == "We are open from nine to five."
    assert spoken(root.find("Gather"))[0] == "This is menu 0."


def hints_of(root) -> list[str]:
    return root.find("Gather").get("hints").split(", ")


@pytest.fixture
def long_names(demo):
    """The large tree, its first 50 planets spoken by names longer than Twilio takes as a hint."""
    planets = large_tree()
    for name in PlanetName.objects.filter(planet__in=planets[:50]):
        name.spoken_name = f"the planet {name.planet.name} of the {'far ' * 40}west"
        name.save()
    return planets


@pytest.mark.parametrize(
    ("name", "query", "params"),
    [
        ("ivr:welcome", "", {}),
        ("ivr:welcome", "?menu=menu-37&step=3", {}),
        ("ivr:menu", "?menu=menu-37&step=3", {"Digits": "2"}),
    ],
    ids=["first menu", "deep submenu", "its planet directory"],
)
def test_a_menu_leading_to_500_planets_keeps_its_twiml_bounded(
    client, long_names, name, query, params
):
    response = client.post(reverse(name) + query, params)
    hints = hints_of(parse_twiml(response))
    assert len(hints) == HINTS_LIMIT
    assert all(len(hint) <= HINT_LENGTH for hint in hints)
    # Its size does not follow the directory: the hints, and a menu or nine planets read out.
    assert len(response.content) < HINTS_LIMIT * (HINT_LENGTH + 2) + 5_000


def test_a_menus_own_words_are_kept_when_500_planets_fill_the_hints(client, long_names):
    """The cap drops planets' words, never the first words of the menu's options (a language's
    option is said by the language's name; the caller's own language is not on offer)."""
    hints = hints_of(post(client, "ivr:welcome", "?menu=menu-37&step=3"))
    first_words = {words for key, (_action, words) in KEYS.items() if key not in "89"}
    assert first_words | {"日本語"} <= set(hints)
    assert "english" not in hints
    # The 500 planets' first words fill the rest: the last few do not fit.
    assert "the planet Zanyara" not in hints


def test_a_menu_prompt_saved_by_staff_is_heard_by_the_next_request(client, demo):
    large_tree()
    assert spoken(post(client, "ivr:welcome", "?menu=menu-37&step=3"))[0] == "This is menu 37."
    prompt = MenuPrompt.objects.get(menu__slug="menu-37", language__code="en-GB")
    prompt.text = "The thirty-seventh menu, newly worded."
    prompt.save()
    root = post(client, "ivr:welcome", "?menu=menu-37&step=3")
    assert spoken(root)[0] == "The thirty-seventh menu, newly worded."


def test_an_option_deactivated_by_staff_is_not_heard_by_the_next_request(client, demo):
    large_tree()
    assert post(client, "ivr:menu", "?menu=menu-37&step=3", Digits="0").find("Dial") is not None
    option = Option.objects.get(menu__slug="menu-37", key="0")
    option.is_active = False
    option.save()
    root = post(client, "ivr:menu", "?menu=menu-37&step=3", Digits="0")
    assert root.find("Dial") is None
    assert "For operator, press 0." not in spoken(
        post(client, "ivr:welcome", "?menu=menu-37&step=3")
    )
