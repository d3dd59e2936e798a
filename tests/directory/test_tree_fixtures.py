"""A tree moves between servers with dumpdata and loaddata: found again by short names and keys,
harmless to load twice, and heard as before."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from directory.models import (
    DIRECTIONS_PLACEHOLDER,
    Action,
    Announcement,
    CalledNumber,
    Language,
    Menu,
    MenuPrompt,
    Option,
    OptionText,
    OptionWord,
    Planet,
)
from tests.conftest import parse_twiml
from tests.factories import main_menu, make_menu, make_menu_prompt, make_option

pytestmark = pytest.mark.django_db

HELP_DESK_NUMBER = "+14155550123"
# What docs/staff/tree.md's "Moving a tree to another server" dumps: the tree and our numbers,
# not the history (its rows name the staff of the server they were made on).
TREE_MODELS = [
    f"directory.{model}"
    for model in ("menu", "menuprompt", "option", "optiontext", "optionword", "announcement")
] + ["directory.callednumber"]


def say(option, language, *, text="", words=(), message=()):
    """An option's sentence, words and message sentences in one language."""
    language = Language.objects.get(code=language)
    if text:
        OptionText.objects.create(option=option, language=language, text=text)
    for phrase in words:
        OptionWord.objects.create(option=option, language=language, phrase=phrase)
    for position, sentence in enumerate(message):
        Announcement.objects.create(
            option=option, language=language, position=10 * (position + 1), text=sentence
        )


@pytest.fixture
def tree(demo):
    """The demo's main menu with an operator (0), a help desk (3), an inactive message box (6)
    and a goodbye (#); the help desk's opening times (1, then the main menu), way back (2),
    planet directory (4) and directions (5, then hang up); a number that starts there."""
    main, dagobah = main_menu(), Planet.objects.get(name="Dagobah")
    help_desk = make_menu(name="Help desk", slug="help-desk")
    make_menu_prompt("Help desk.", menu=help_desk)
    make_menu_prompt(
        "ヘルプデスクです。", menu=help_desk, language=Language.objects.get(code="ja-JP")
    )

    operator = make_option(menu=main, key="0", action=Action.PLANET, target_planet=dagobah)
    say(operator, "en-GB", text="For an operator, press {key}.", words=["operator"])
    say(operator, "ja-JP", text="オペレーターは{key}を押してください。", words=["オペレーター"])
    to_help = make_option(menu=main, key="3", action=Action.MENU, target_menu=help_desk)
    say(to_help, "en-GB", text="For the help desk, press {key}.", words=["help desk", "help"])
    say(to_help, "ja-JP", text="ヘルプデスクは{key}を押してください。", words=["ヘルプデスク"])
    message_box = make_option(
        menu=main, key="6", action=Action.VOICEMAIL, target_planet=dagobah, is_active=False
    )
    say(message_box, "en-GB", text="To leave a message, press {key}.", words=["message"])
    goodbye = make_option(menu=main, key="#", action=Action.HANG_UP)
    say(goodbye, "en-GB", text="To hang up, press {key}.", message=["Bye for now.", "Come back."])

    hours = make_option(
        menu=help_desk, key="1", action=Action.ANNOUNCE, target_menu=main, position=10
    )
    say(hours, "en-GB", text="For opening times, press {key}.", message=["Nine to five."])
    say(
        hours, "ja-JP", text="営業時間は{key}を押してください。", message=["九時から五時までです。"]
    )
    back = make_option(menu=help_desk, key="2", action=Action.MENU, target_menu=main)
    say(back, "en-GB", text="To go back, press {key}.", words=["back", "main menu"])
    planets = make_option(menu=help_desk, key="4", action=Action.DIRECTORY, read_out=False)
    say(planets, "en-GB", words=["planets"])
    directions = make_option(menu=help_desk, key="5", action=Action.ANNOUNCE)
    say(directions, "en-GB", text="For directions, press {key}.", message=[DIRECTIONS_PLACEHOLDER])

    CalledNumber.objects.create(
        number=HELP_DESK_NUMBER, language=Language.objects.get(code="ja-JP"), entry_menu=help_desk
    )
    return main, help_desk


def tree_rows():
    """Every row of the tree, named by natural keys (short names, keys, language codes)."""
    return {
        "menus": sorted(Menu.objects.values_list("slug", "name", "is_default")),
        "prompts": sorted(
            MenuPrompt.objects.values_list("menu__slug", "language__code", "text", "voice")
        ),
        "options": sorted(
            Option.objects.values_list(
                "menu__slug",
                "key",
                "position",
                "read_out",
                "is_active",
                "action",
                "target_menu__slug",
                "target_planet__name",
                "target_language__code",
            ),
            key=repr,  # the targets may be None
        ),
        "texts": sorted(
            OptionText.objects.values_list(
                "option__menu__slug", "option__key", "language__code", "text", "voice"
            )
        ),
        "words": sorted(
            OptionWord.objects.values_list(
                "option__menu__slug", "option__key", "language__code", "phrase"
            )
        ),
        "announcements": sorted(
            Announcement.objects.values_list(
                "option__menu__slug", "option__key", "language__code", "position", "text"
            )
        ),
        "numbers": sorted(
            CalledNumber.objects.values_list("number", "language__code", "entry_menu__slug")
        ),
    }


# What a call hears: the first menu, the submenu (in English and as its own number's first menu
# in Japanese), and an option leading on from the submenu.
CALLS = [
    ("ivr:welcome", "", {}),
    ("ivr:welcome", "?menu=help-desk&step=2", {}),
    ("ivr:welcome", "", {"To": HELP_DESK_NUMBER}),
    ("ivr:menu", "?menu=help-desk&step=3", {"Digits": "1"}),
    ("ivr:menu", "?step=1", {"Digits": "#"}),
]


def heard(client) -> list[bytes]:
    answers = []
    for name, query, params in CALLS:
        response = client.post(reverse(name) + query, params)
        parse_twiml(response)
        answers.append(response.content)
    return answers


def dump(tmp_path):
    path = tmp_path / "tree.json"
    call_command(
        "dumpdata",
        *TREE_MODELS,
        "--natural-foreign",
        "--natural-primary",
        output=str(path),
        verbosity=0,
    )
    return path


def delete_the_tree():
    CalledNumber.objects.all().delete()
    Option.objects.all().delete()
    Menu.objects.all().delete()


def test_a_dumped_tree_comes_back_whole_on_a_server_without_it(client, tree, tmp_path):
    before, answers = tree_rows(), heard(client)
    old_pks = set(Option.objects.values_list("pk", flat=True))
    fixture = dump(tmp_path)

    delete_the_tree()
    assert not Option.objects.exists()
    assert heard(client) != answers  # the line answers with the built-in tree meanwhile
    call_command("loaddata", str(fixture), verbosity=0)

    assert tree_rows() == before
    # New rows, found by their menu's short name and their key, not by primary key.
    assert not old_pks & set(Option.objects.values_list("pk", flat=True))
    assert heard(client) == answers


def test_loading_a_tree_twice_changes_nothing(client, tree, tmp_path):
    before, answers = tree_rows(), heard(client)
    fixture = dump(tmp_path)
    delete_the_tree()
    call_command("loaddata", str(fixture), verbosity=0)
    call_command("loaddata", str(fixture), verbosity=0)
    assert tree_rows() == before  # lists: a duplicate would show
    assert heard(client) == answers


def test_loading_a_tree_over_itself_changes_nothing(client, tree, tmp_path):
    before, answers = tree_rows(), heard(client)
    call_command("loaddata", str(dump(tmp_path)), verbosity=0)
    assert tree_rows() == before
    assert heard(client) == answers


def test_a_tree_loaded_over_staff_edits_is_heard_as_dumped_at_the_next_call(client, tree, tmp_path):
    """loaddata puts the dumped words back, and the next call hears them (the revision)."""
    _main, help_desk = tree
    answers = heard(client)
    fixture = dump(tmp_path)
    make_menu_prompt("The help desk, reworded.", menu=help_desk)
    Option.objects.filter(menu=help_desk, key="1").update(is_active=False)
    assert heard(client) != answers  # the edits are heard

    call_command("loaddata", str(fixture), verbosity=0)
    assert heard(client) == answers
