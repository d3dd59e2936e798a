"""A tree staff shaped is what callers hear: options read out, chosen by key or by voice, in
each language, each doing its one action."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from directory.models import Action, Announcement, Language, OptionText, OptionWord, Planet
from simulator.interpreter import Interpreter
from simulator.transports import in_process
from tests.conftest import parse_twiml, prompt_text, spoken
from tests.factories import main_menu, make_menu, make_menu_prompt, make_option

pytestmark = pytest.mark.django_db

OPERATOR = {
    "en-GB": "For an operator, press {key}.",
    "ja-JP": "オペレーターは{key}を押してください。",
}
HELP = {"en-GB": "For opening times, press {key}.", "ja-JP": "営業時間は{key}を押してください。"}
HOURS = {"en-GB": "We are open from nine to five.", "ja-JP": "営業時間は九時から五時までです。"}


def texts(option, sentences: dict, words: dict | None = None):
    for code, text in sentences.items():
        language = Language.objects.get(code=code)
        OptionText.objects.create(option=option, language=language, text=text)
        for phrase in (words or {}).get(code, ()):
            OptionWord.objects.create(option=option, language=language, phrase=phrase)


@pytest.fixture
def tree(demo):
    """The demo's tree, and what a new staff member adds: 0 for an operator (Dagobah), 3 for a
    help menu with opening times (1) and the way back (2)."""
    main = main_menu()
    operator = make_option(
        menu=main,
        key="0",
        position=5,
        action=Action.PLANET,
        target_planet=Planet.objects.get(name="Dagobah"),
    )
    texts(operator, OPERATOR, {"en-GB": ["operator"], "ja-JP": ["オペレーター"]})
    help_menu = make_menu(name="Help desk", slug="help")
    for code, text in {"en-GB": "Help desk.", "ja-JP": "ヘルプデスクです。"}.items():
        make_menu_prompt(text, menu=help_menu, language=Language.objects.get(code=code))
    to_help = make_option(
        menu=main, key="3", position=25, action=Action.MENU, target_menu=help_menu
    )
    texts(to_help, HELP, {"en-GB": ["opening times"], "ja-JP": ["営業時間"]})
    hours = make_option(menu=help_menu, key="1", action=Action.ANNOUNCE)
    texts(hours, HELP, {"en-GB": ["hours"], "ja-JP": ["時間"]})
    for code, text in HOURS.items():
        Announcement.objects.create(
            option=hours, language=Language.objects.get(code=code), text=text
        )
    back = make_option(menu=help_menu, key="2", action=Action.MENU, target_menu=main)
    texts(back, {"en-GB": "To go back, press {key}.", "ja-JP": "戻るには{key}を押してください。"})
    return main, help_menu


def post(client, name, query="", **params):
    return parse_twiml(client.post(reverse(name) + query, params))


def action(root, path="Gather") -> dict:
    url = urlsplit(root.find(path).get("action"))
    return {"path": url.path, **{k: v[0] for k, v in parse_qs(url.query).items()}}


def test_the_main_menu_reads_the_new_options_after_the_greeting_in_order(client, tree):
    said = spoken(post(client, "ivr:welcome").find("Gather"))
    per_loop = said[: len(said) // 3]
    assert per_loop[0].startswith("Thanks for calling")
    assert per_loop[1:] == [
        "For an operator, press 0.",
        "For opening times, press 3.",
        "日本語をご希望の方は、9を押してください。",
    ]


def test_a_japanese_caller_hears_the_new_options_in_japanese(client, tree):
    said = spoken(post(client, "ivr:welcome", "?lang=ja-JP&step=1").find("Gather"))
    assert "オペレーターは0を押してください。" in said
    assert "営業時間は3を押してください。" in said
    assert "For English, press 8." in said


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("?step=1", {"Digits": "0"}),
        ("?step=1", {"SpeechResult": "operator please", "Confidence": "0.9"}),
        ("?lang=ja-JP&step=1", {"Digits": "0"}),
        ("?lang=ja-JP&step=1", {"SpeechResult": "オペレーター", "Confidence": "0.9"}),
    ],
)
def test_the_operator_option_puts_the_caller_through_by_key_or_voice(client, tree, query, params):
    root = post(client, "ivr:menu", query, **params)
    assert root.find("Dial").text == Planet.objects.get(name="Dagobah").phone_number
    # Should the planet not answer, the caller comes back to this menu, not the directory.
    assert action(root, "Dial")["back"] == "menu"


@pytest.mark.parametrize(
    ("query", "params", "language"),
    [
        ("?step=1", {"Digits": "3"}, "en-GB"),
        ("?step=1", {"SpeechResult": "opening times", "Confidence": "0.9"}, "en-GB"),
        ("?lang=ja-JP&step=1", {"Digits": "3"}, "ja-JP"),
        ("?lang=ja-JP&step=1", {"SpeechResult": "営業時間", "Confidence": "0.9"}, "ja-JP"),
    ],
)
def test_a_submenu_is_reached_by_key_or_voice_and_names_itself_in_its_urls(
    client, tree, query, params, language
):
    root = post(client, "ivr:menu", query, **params)
    gather = root.find("Gather")
    assert gather.get("language") == language
    assert spoken(gather)[0] == ("Help desk." if language == "en-GB" else "ヘルプデスクです。")
    assert action(root)["menu"] == "help"
    assert action(root)["path"] == reverse("ivr:menu")


def test_the_submenus_options_say_a_message_then_hang_up_or_go_back(client, tree):
    root = post(client, "ivr:menu", "?menu=help&step=2", Digits="1")
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert spoken(root) == [HOURS["en-GB"]]
    root = post(client, "ivr:menu", "?lang=ja-JP&menu=help&step=2", SpeechResult="時間")
    assert spoken(root) == [HOURS["ja-JP"]]
    back = post(client, "ivr:menu", "?menu=help&step=2", Digits="2")
    assert spoken(back.find("Gather"))[0].startswith("Thanks for calling")
    assert "menu" not in action(back)  # the call's first menu goes unnamed, as before


def test_a_wrong_key_in_a_submenu_reads_that_submenu_again(client, tree):
    root = post(client, "ivr:menu", "?menu=help&step=2", Digits="7")
    redirect = urlsplit(root.find("Redirect").text)
    assert redirect.path == reverse("ivr:welcome")
    assert parse_qs(redirect.query) == {"attempts": ["1"], "menu": ["help"], "step": ["3"]}
    again = post(client, "ivr:welcome", "?attempts=1&menu=help&step=3")
    assert spoken(again.find("Gather"))[0] == "Help desk."


def test_the_attempts_limit_holds_across_menus(client, tree, settings):
    root = post(
        client,
        "ivr:menu",
        f"?attempts={settings.IVR_MAX_ATTEMPTS - 1}&menu=help&step=9",
        Digits="7",
    )
    assert [child.tag for child in root] == ["Say", "Hangup"]


def test_a_failed_dial_from_an_option_offers_a_message_then_comes_back_to_the_menu(client, tree):
    dagobah = Planet.objects.get(name="Dagobah")
    root = post(
        client, "ivr:dialed", f"?back=menu&planet={dagobah.pk}&step=2", DialCallStatus="busy"
    )
    offered = action(root)
    assert offered["back"] == "menu"
    declined = post(
        client, "ivr:voicemail_offered", f"?back=menu&planet={dagobah.pk}&step=3", Digits="2"
    )
    assert spoken(declined.find("Gather"))[0].startswith("Thanks for calling")


def test_an_inactive_option_is_neither_read_nor_heard(client, tree):
    main, _help = tree
    main.options.filter(key="0").update(is_active=False)
    assert "For an operator, press 0." not in spoken(post(client, "ivr:welcome"))
    root = post(client, "ivr:menu", "?step=1", Digits="0")
    assert root.find("Dial") is None
    assert root.find("Redirect") is not None


def test_a_hang_up_option_says_its_goodbye(client, tree):
    main, _help = tree
    make_option(menu=main, key="5", action=Action.HANG_UP)
    root = post(client, "ivr:menu", "?step=1", Digits="5")
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert spoken(root) == ["Thank you for calling the E T Phone Home Service. Goodbye."]


def test_an_option_on_the_hash_key_can_be_pressed(client, tree):
    """Twilio ends a gather at # unless told otherwise: a menu with a # option says so."""
    main, _help = tree
    assert post(client, "ivr:welcome").find("Gather").get("finishOnKey") is None
    make_option(menu=main, key="#", action=Action.HANG_UP)
    assert post(client, "ivr:welcome").find("Gather").get("finishOnKey") == ""
    # Walked by the simulator, which ends a gather at its finishing key as Twilio does.
    transport = in_process()
    turn = Interpreter(transport).start(transport.entry_url)
    turn = Interpreter(transport).press(turn.waiting, "#")
    assert [str(event) for event in turn.events][-1] == "Call ends: the app hung up"


def test_a_voicemail_option_starts_the_recording_for_its_planet(client, tree):
    main, _help = tree
    dagobah = Planet.objects.get(name="Dagobah")
    make_option(menu=main, key="7", action=Action.VOICEMAIL, target_planet=dagobah)
    root = post(client, "ivr:menu", "?step=1", Digits="7")
    record = root.find("Record")
    assert parse_qs(urlsplit(record.get("action")).query)["planet"] == [str(dagobah.pk)]
    # Recording nothing goes back to the menu.
    assert urlsplit(root.find("Redirect").text).path == reverse("ivr:welcome")


def test_a_message_can_lead_on_to_a_menu(client, tree):
    main, help_menu = tree
    hours = help_menu.options.get(key="1")
    hours.target_menu = main
    hours.save()
    root = post(client, "ivr:menu", "?menu=help&step=2", Digits="1")
    assert (root[0].tag, root[0].text) == ("Say", HOURS["en-GB"])
    assert spoken(root.find("Gather"))[0].startswith("Thanks for calling")


def test_a_menu_deleted_during_a_call_answers_as_the_first_menu(client, tree):
    root = post(client, "ivr:welcome", "?menu=gone&step=3")
    assert spoken(root.find("Gather"))[0].startswith("Thanks for calling")


def test_a_called_number_can_start_at_its_own_menu(client, tree):
    from directory.models import CalledNumber

    _main, help_menu = tree
    CalledNumber.objects.create(
        number="+14155550123", language=Language.objects.get(code="en-GB"), entry_menu=help_menu
    )
    root = post(client, "ivr:welcome", To="+14155550123")
    assert spoken(root.find("Gather"))[0] == "Help desk."
    # Its own first menu goes unnamed in its URLs, as the main menu does for other numbers.
    assert "menu" not in action(root)


def test_a_wrong_key_in_a_submenu_says_the_key_is_not_on_it(client, tree):
    root = post(client, "ivr:menu", "?menu=help&step=2", Digits="7")
    assert spoken(root)[0] == "Sorry, that key is not on the menu."
    root = post(client, "ivr:menu", "?step=2", Digits="7")
    assert spoken(root)[0] == "Returning to the main menu."


def test_silence_that_leads_back_to_a_menu_counts_as_a_miss(client, tree):
    _main, help_menu = tree
    help_menu.silence_key = "2"  # back to the main menu
    help_menu.save()
    query = "?menu=help&step=2"
    for attempts in range(2):
        root = post(client, "ivr:menu", query, Digits="")
        gather = root.find("Gather")
        assert gather is not None
        assert parse_qs(urlsplit(gather.get("action")).query)["attempts"] == [str(attempts + 1)]
        query = f"?attempts={attempts + 1}&menu=help&step=2"
    root = post(client, "ivr:menu", query, Digits="")
    assert root.find("Hangup") is not None
    assert spoken(root) == [prompt_text("goodbye")]
