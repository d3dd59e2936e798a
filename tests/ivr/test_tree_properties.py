"""Property: any valid tree, walked as Twilio walks it, answers TwiML whose every URL leads to a
step of the call, and never sends a caller round without waiting for them."""

import logging
import xml.etree.ElementTree as ET
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import resolve
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from directory.models import (
    DIRECTIONS_PLACEHOLDER,
    PHONE_KEYS,
    Action,
    Announcement,
    CalledNumber,
    Closure,
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
from ivr.urls import STEPS
from simulator.events import Answer
from simulator.interpreter import DIAL_OUTCOMES, Interpreter, new_call
from simulator.transports import in_process

pytestmark = pytest.mark.django_db

LANGUAGES = ("en-GB", "ja-JP")
# Words a caller may say for an option, the same idea at the same index in each language.
WORDS = {
    "en-GB": ["operator", "opening times", "help desk", "go back", "sales", "billing"]
    + ["directions", "planets", "leave a message", "goodbye", "main menu", "repeat"]
    + ["lost luggage", "complaints", "weather", "parking", "refunds", "bookings"]
    + ["news", "careers"],
    "ja-JP": ["オペレーター", "営業時間", "ヘルプデスク", "戻る", "営業", "請求"]
    + ["道案内", "惑星", "伝言", "さようなら", "メインメニュー", "もう一度"]
    + ["忘れ物", "苦情", "天気", "駐車場", "返金", "予約"]
    + ["ニュース", "採用"],
}
# The target each action's drawn target names.
TARGET = {
    Action.MENU: "target_menu",
    Action.ANNOUNCE: "target_menu",
    Action.PLANET: "target_planet",
    Action.VOICEMAIL: "target_planet",
    Action.LANGUAGE: "target_language",
}
# Words per option at most: ten options share the twenty ideas without overlap.
WORDS_PER_OPTION = 2
OPTION_TEXT = {
    "en-GB": "For {words}, press {{key}}.",
    "ja-JP": "{words}は{{key}}を押してください。",
}
MESSAGES = {
    "en-GB": [DIRECTIONS_PLACEHOLDER, "We are open from nine to five.", "Thank you."],
    "ja-JP": [DIRECTIONS_PLACEHOLDER, "九時から五時までです。", "ありがとうございます。"],
}
MENU_TEXT = {"en-GB": "This is menu {index}.", "ja-JP": "メニュー{index}です。"}
# What else a caller may say: the confirmation's and voicemail offer's words, and nonsense.
OTHER_WORDS = ["yes", "no", "message", "back", "はい", "いいえ", "伝言", "mumble mumble", "7"]
STEP_NAMES = {f"ivr:{name}" for name in STEPS.values()}
CALLBACK_NAMES = {"ivr:voicemail_recording", "ivr:voicemail_transcription"}
# A Redirect leads straight to something that waits for the caller (Gather, Record), dials,
# or hangs up: never to another Redirect.
REDIRECTS_IN_A_ROW = 1
STEPS_PER_CALL = 14
CALLS_PER_TREE = 2


def prefix_free(extensions: list[str]) -> list[str]:
    """The extensions, leaving out any that starts another kept one (or is started by it)."""
    kept: list[str] = []
    for extension in extensions:
        if not any(extension.startswith(k) or k.startswith(extension) for k in kept):
            kept.append(extension)
    return kept


planets = st.lists(st.text("0123456789", min_size=1, max_size=3), unique=True, max_size=4).flatmap(
    lambda extensions: st.tuples(
        *(
            st.fixed_dictionaries(
                {
                    "key": st.just(extension),
                    "is_active": st.sampled_from([True, True, False]),
                    # A message option's planet takes messages when the option is saved; staff
                    # may untick it on the planet later, which the option survives.
                    "takes_voicemail": st.booleans(),
                    "closed": st.sampled_from([False, False, True]),
                    "japanese_name": st.booleans(),
                }
            )
            for extension in prefix_free(extensions)
        )
    )
)


def option_of(draw, *, menus: int, planets: int) -> dict:
    actions = [Action.MENU, Action.ANNOUNCE, Action.DIRECTORY, Action.LANGUAGE, Action.HANG_UP]
    actions += [Action.PLANET, Action.VOICEMAIL] if planets else []
    action = draw(st.sampled_from(actions))
    target = {
        Action.MENU: st.integers(0, menus - 1),
        Action.ANNOUNCE: st.none() | st.integers(0, menus - 1),
        Action.PLANET: st.integers(0, planets - 1),
        Action.VOICEMAIL: st.integers(0, planets - 1),
        Action.LANGUAGE: st.sampled_from(LANGUAGES),
    }.get(action, st.none())
    said_in = st.sampled_from([(), ("en-GB",), ("en-GB", "ja-JP"), ("ja-JP",)])
    message = st.lists(st.integers(0, len(MESSAGES["en-GB"]) - 1), unique=True, max_size=2)
    return {
        "action": action,
        "target": draw(target),
        "read_out": draw(st.booleans()),
        "is_active": draw(st.sampled_from([True, True, True, False])),
        "texts": draw(said_in),
        "words": draw(said_in),
        "word_count": draw(st.integers(0, WORDS_PER_OPTION)),
        "message": {
            code: draw(message)
            for code in draw(said_in)
            if action in (Action.ANNOUNCE, Action.HANG_UP)
        },
    }


@st.composite
def trees(draw):
    """A valid tree as plain values: planets, menus with their options, and maybe a number of
    ours that starts at a menu of its own."""
    planet_specs = draw(planets)
    count = draw(st.integers(1, 6))
    menus = []
    for _index in range(count):
        # # and * first: Hypothesis favours the first, and they are the keys Twilio treats apart.
        keys = draw(st.lists(st.sampled_from("#*0123456789"), unique=True, max_size=10))
        menus.append(
            {
                "said_in": draw(st.sampled_from([(), ("en-GB",), ("en-GB", "ja-JP"), ("ja-JP",)])),
                "silent": draw(st.sampled_from([False, False, True])),
                # Where its options' words start in WORDS (each option then takes its own).
                "words": draw(st.integers(0, len(WORDS["en-GB"]) - 1)),
                "options": {
                    key: option_of(draw, menus=count, planets=len(planet_specs)) for key in keys
                },
            }
        )
    return {
        "planets": planet_specs,
        "menus": menus,
        # The admin always keeps a menu where calls start; a shell or a fixture may not.
        "default": draw(st.none() | st.integers(0, count - 1)),
        "number": draw(
            st.none() | st.tuples(st.integers(0, count - 1), st.sampled_from(LANGUAGES))
        ),
    }


def build(tree: dict) -> dict:
    """The tree's rows, written in bulk (the database's constraints check them, and the plain
    values were drawn to meet the models' other rules); what a walk needs to know."""
    languages = {code: Language.objects.get(code=code) for code in LANGUAGES}
    planet_rows = [add_planet(index, spec, languages) for index, spec in enumerate(tree["planets"])]
    menus = Menu.objects.bulk_create(
        Menu(name=f"Menu {index}", slug=f"menu-{index}", is_default=tree["default"] == index)
        for index in range(len(tree["menus"]))
    )
    MenuPrompt.objects.bulk_create(
        MenuPrompt(
            menu=menu,
            language=languages[code],
            text="" if spec["silent"] else MENU_TEXT[code].format(index=index),
        )
        for index, (menu, spec) in enumerate(zip(menus, tree["menus"], strict=True))
        for code in spec["said_in"]
    )
    drawn = [
        (menu, key, position, option, spec["words"])
        for menu, spec in zip(menus, tree["menus"], strict=True)
        for position, (key, option) in enumerate(spec["options"].items())
    ]
    targets = {"target_menu": menus, "target_planet": planet_rows, "target_language": languages}
    options = Option.objects.bulk_create(
        Option(
            menu=menu,
            key=key,
            position=10 * position,
            action=option["action"],
            read_out=option["read_out"],
            is_active=option["is_active"],
            **(
                {TARGET[option["action"]]: targets[TARGET[option["action"]]][option["target"]]}
                if option["target"] is not None
                else {}
            ),
        )
        for menu, key, position, option, _first_word in drawn
    )
    texts, words, messages = [], [], []
    for row, (_menu, key, position, option, first_word) in zip(options, drawn, strict=True):
        # Each option's words are its own, WORDS_PER_OPTION places apart: no two share words.
        start = first_word + WORDS_PER_OPTION * position
        mine = [(start + n) % len(WORDS["en-GB"]) for n in range(option["word_count"])]
        for code in option["texts"]:
            text = OPTION_TEXT[code].format(words=WORDS[code][mine[0]] if mine else key)
            texts.append(OptionText(option=row, language=languages[code], text=text))
        words += [
            OptionWord(option=row, language=languages[code], phrase=WORDS[code][index])
            for code in option["words"]
            for index in mine
        ]
        messages += [
            Announcement(
                option=row, language=languages[code], position=order, text=MESSAGES[code][index]
            )
            for code, sentences in option["message"].items()
            for order, index in enumerate(sentences)
        ]
    OptionText.objects.bulk_create(texts)
    OptionWord.objects.bulk_create(words)
    Announcement.objects.bulk_create(messages)
    number = None
    if tree["number"] is not None:
        first, code = tree["number"]
        number = ("+14155550123", menus[first].slug)
        CalledNumber.objects.create(
            number=number[0], language=languages[code], entry_menu=menus[first]
        )
    return {
        "slugs": {menu.slug for menu in menus},
        "keys": {
            menu.slug: sorted(spec["options"])
            for menu, spec in zip(menus, tree["menus"], strict=True)
        },
        "active_keys": {
            menu.slug: {key for key, option in spec["options"].items() if option["is_active"]}
            for menu, spec in zip(menus, tree["menus"], strict=True)
        },
        # Where calls start: the menu marked so, else the first by name (menu-0).
        "entry": menus[tree["default"] or 0].slug,
        "planets": {planet.pk for planet in planet_rows},
        "extensions": [planet.key for planet in planet_rows],
        "said": [word.phrase for word in words]
        + [planet.name for planet in planet_rows]
        + OTHER_WORDS,
        "number": number,
    }


def add_planet(index: int, spec: dict, languages: dict) -> Planet:
    """A planet with a spoken name, maybe one in Japanese too, maybe closed today."""
    planet = Planet.objects.create(
        name=f"Zorg{index}",
        key=spec["key"],
        phone_number=f"+1415555{index:04d}",
        is_active=spec["is_active"],
        takes_voicemail=spec["takes_voicemail"],
    )
    names = {"en-GB": f"the planet Zorg{index}", "ja-JP": f"惑星ゾルグ{index}"}
    for code in LANGUAGES if spec["japanese_name"] else ("en-GB",):
        PlanetName.objects.create(planet=planet, language=languages[code], spoken_name=names[code])
    if spec["closed"]:
        today = timezone.now().date()
        Closure.objects.create(
            planet=planet, first_day=today - timedelta(days=1), last_day=today + timedelta(days=1)
        )
    return planet


def query_of(url: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlsplit(url).query).items()}


def leads_on(url: str, built: dict, *, names=STEP_NAMES) -> None:
    """A URL of ours names a step of the call (never the catch-all), and in its query only
    menus, languages and planets the tree has."""
    assert url, "an empty URL"
    match = resolve(urlsplit(url).path)
    assert match.view_name in names, url
    query = query_of(url)
    if "menu" in query:
        assert query["menu"] in built["slugs"], url
    assert query.get("lang", "en-GB") in LANGUAGES, url
    if "planet" in query:
        assert int(query["planet"]) in built["planets"], url
    assert 0 <= int(query.get("attempts", "0")) <= settings.IVR_MAX_ATTEMPTS, url


def check(root, built: dict) -> None:
    """What holds of every answer: its URLs lead on, its Gathers never drop a silent caller
    and take hints Twilio accepts, and it ends by waiting, dialing, redirecting or hanging up."""
    assert len(root), "an empty answer"
    assert root[-1].tag in {"Gather", "Dial", "Redirect", "Hangup"}, [c.tag for c in root]
    assert all(say.text != settings.IVR_APOLOGY for say in root.iter("Say"))
    for gather in root.iter("Gather"):
        leads_on(gather.get("action"), built)
        assert gather.get("actionOnEmptyResult") == "true"
        assert gather.get("language") in LANGUAGES
        hints = [hint for hint in (gather.get("hints") or "").split(", ") if hint]
        assert len(hints) <= HINTS_LIMIT
        assert all(len(hint) <= HINT_LENGTH for hint in hints)
    for verb in root.iter("Dial"):
        leads_on(verb.get("action"), built)
        assert (verb.text or "").startswith("+")
    for verb in root.iter("Record"):
        leads_on(verb.get("action"), built)
        for callback in ("recordingStatusCallback", "transcribeCallback"):
            if verb.get(callback):
                leads_on(verb.get(callback), built, names=CALLBACK_NAMES)
    for verb in root.iter("Redirect"):
        leads_on(verb.text, built)


class Watched:
    """The simulator's in-process transport (signed as Twilio signs), keeping every request's
    URL and parameters with the answer."""

    def __init__(self):
        self.transport = in_process()
        self.exchanges: list[tuple[str, dict, Answer]] = []

    def __call__(self, method: str, url: str, params: dict) -> Answer:
        answer = self.transport(method, url, params)
        self.exchanges.append((url, params, answer))
        return answer

    @property
    def entry_url(self) -> str:
        return self.transport.entry_url


def check_turn(turn, exchanges, built: dict) -> None:
    """Every request of a turn (from the caller's input until the call waits or ends) went to
    a step of the call and was answered well; Redirects alone never went round."""
    assert turn.error is None, turn.error
    redirects, previous = 0, None
    for url, _params, answer in exchanges:
        assert answer.status == HTTPStatus.OK, answer.body[:500]
        leads_on(url, built)
        root = ET.fromstring(answer.body)
        assert root.tag == "Response"
        check(root, built)
        # What was reached, for --hypothesis-show-statistics.
        event(f"{resolve(urlsplit(url).path).view_name} -> {[child.tag for child in root]}")
        if previous is not None:
            waited = {child.tag for child in previous} & {"Gather", "Record", "Dial"}
            redirects = 0 if waited else redirects + 1
            assert redirects <= REDIRECTS_IN_A_ROW, f"a caller sent round without input: {url}"
        previous = root


def act(interpreter: Interpreter, waiting, built: dict, entry: str, data):
    """What the caller does where the call waits, drawn: the next turn, and the key pressed
    if it is an active option's of the menu waiting for it."""
    interpreter.dial_outcome = data.draw(st.sampled_from(DIAL_OUTCOMES), label="dial")
    verb = ET.fromstring(waiting.document)[waiting.index]
    if verb.tag == "Record":
        if data.draw(st.booleans(), label="leaves a message"):
            return interpreter.press(waiting, "#"), None
        return interpreter.stay_silent(waiting), None
    url = verb.get("action")
    step = resolve(urlsplit(url).path).view_name
    menu = query_of(url).get("menu", entry) if step == "ivr:menu" else None
    useful = {
        "ivr:menu": menu and built["keys"][menu],
        "ivr:planets": [*built["extensions"], "*"],
    }.get(step, ["1", "2"]) or list(PHONE_KEYS)
    keys = st.sampled_from(useful).map(lambda pressed: ("keys", pressed))
    other_keys = st.sampled_from([*PHONE_KEYS, *built["extensions"], "99999"]).map(
        lambda pressed: ("keys", pressed)
    )
    words = st.sampled_from(built["said"]) | st.text(min_size=1, max_size=20).filter(str.strip)
    speech = st.tuples(st.just("words"), words, st.sampled_from([0.9, 0.5]))
    # Weighted by repetition, the ends (which Hypothesis favours) too: most callers press
    # what the menu offers, so calls go deep.
    nothing = st.just(("nothing",))
    choice = data.draw(st.one_of(keys, speech, keys, nothing, other_keys, speech, keys))
    if choice[0] == "keys":
        chosen = menu and choice[1][0] in built["active_keys"][menu]
        return interpreter.answer(waiting, choice[1]), choice[1][0] if chosen else None
    if choice[0] == "words":
        return interpreter.say(waiting, choice[1], confidence=choice[2]), None
    return interpreter.stay_silent(waiting), None


def walk(transport: Watched, built: dict, data) -> None:
    """One call through the tree, the simulator playing Twilio's part: it follows the app's own
    Gathers, Redirects, Dials and Records, and the caller presses, says or does nothing."""
    starts = [("", {}, built["entry"]), ("?lang=ja-JP", {}, built["entry"])]
    if built["number"]:
        number, first = built["number"]
        starts.append(("", {"called": number}, first))
    query, called, entry = data.draw(st.sampled_from(starts), label="start")
    # A call of a real account: its steps are logged, as on the line.
    call = new_call(**called) | {"AccountSid": "AC" + "1" * 32}
    interpreter = Interpreter(transport)
    before = len(transport.exchanges)
    turn = interpreter.start(transport.entry_url + query, call=call)
    for _step in range(STEPS_PER_CALL):
        check_turn(turn, transport.exchanges[before:], built)
        if turn.waiting is None:
            return
        before = len(transport.exchanges)
        turn, pressed = act(interpreter, turn.waiting, built, entry, data)
        if pressed:
            # An option's key reaches the app as that key, # too: never taken for silence or
            # for the end of the input.
            assert transport.exchanges[before][1].get("Digits") == pressed, pressed


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=trees(), data=st.data())
def test_any_valid_tree_walked_as_twilio_walks_it_answers_twiml_that_leads_on(
    demo, caplog, tree, data
):
    """Every answer on every walk is TwiML leading to a step of this tree, never an apology."""
    caplog.set_level(logging.ERROR, logger="ivr")
    caplog.clear()
    # Each example's tree is made and walked inside a savepoint, then rolled back: the next
    # example starts from the demo's languages and prompts alone.
    with transaction.atomic():
        Option.objects.all().delete()
        Menu.objects.all().delete()
        Planet.objects.all().delete()
        built = build(tree)
        transport = Watched()
        for _call in range(CALLS_PER_TREE):
            walk(transport, built, data)
        transaction.set_rollback(True)
    assert not caplog.records, caplog.text
