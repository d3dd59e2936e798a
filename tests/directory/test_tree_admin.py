"""Staff shape the tree from the admin alone: the docs' walkthrough (docs/staff/tree.md), its
rules as form errors, deletions refused, menus no call reaches, history and revert."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from directory.models import Language, Menu, MenuPrompt, Option, Planet
from tests.admin_forms import form_fields
from tests.conftest import parse_twiml, spoken
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

TREE_EDITOR = tuple(
    f"directory.{action}_{model}"
    for model in ("menu", "menuprompt", "option", "optiontext", "optionword", "announcement")
    for action in ("view", "add", "change")
)


# An inline option as the admin's form sends it: read out and active ticked.
ACTIVE = {"read_out": "on", "is_active": "on"}


def form(client, url: str, **changes) -> dict:
    data = form_fields(client.get(url).content.decode())
    data.update(changes, _save="Save")
    return {key: value for key, value in data.items() if value is not None}


def add_rows(data: dict, prefix: str, rows: list[dict]) -> dict:
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    for i, row in enumerate(rows, start=n):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(n + len(rows))
    return data


def saved(response):
    errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert response.status_code == HTTPStatus.FOUND, errors
    return response


def both(english: str, japanese: str, field: str = "text") -> list[dict]:
    en, ja = Language.objects.get(code="en-GB"), Language.objects.get(code="ja-JP")
    return [{"language": en.pk, field: english}, {"language": ja.pk, field: japanese}]


def add_option(client, *, menu: Menu, key: str, action: str, sentences, words, **fields):
    url = reverse("admin:directory_option_add")
    data = form(client, url, menu=menu.pk, key=key, action=action, **fields)
    add_rows(data, "texts", sentences)
    add_rows(data, "words", words)
    return saved(client.post(url, data))


def heard(client, query: str = "", **params):
    return parse_twiml(
        client.post(reverse("ivr:welcome" if not params else "ivr:menu") + query, params)
    )


@pytest.fixture
def editor(client, demo):
    client.force_login(make_staff(permissions=TREE_EDITOR))
    return client


def test_the_readme_walkthrough_builds_an_operator_option_and_a_help_desk(editor, client):
    main = Menu.objects.get(slug="main")
    # 1. 0 for an operator.
    add_option(
        editor,
        menu=main,
        key="0",
        action=Option.Action.PLANET,
        position="5",
        target_planet=Planet.objects.get(name="Dagobah").pk,
        sentences=both("For an operator, press {key}.", "オペレーターは{key}を押してください。"),
        words=both("operator", "オペレーター", "phrase"),
    )
    # 2. The help desk menu with its two options, added inline.
    url = reverse("admin:directory_menu_add")
    data = form(editor, url, name="Help desk", slug="help-desk")
    add_rows(data, "prompts", both("Help desk.", "ヘルプデスクです。"))
    add_rows(
        data,
        "options",
        [
            {"key": "1", "position": "10", "action": "announce", **ACTIVE},
            {"key": "2", "position": "20", "action": "menu", "target_menu": main.pk, **ACTIVE},
        ],
    )  # fmt: skip
    saved(editor.post(url, data))
    help_desk = Menu.objects.get(slug="help-desk")
    # 3. The options' sentences, words and the message.
    hours = help_desk.options.get(key="1")
    url = reverse("admin:directory_option_change", args=[hours.pk])
    data = form(editor, url)
    add_rows(
        data, "texts", both("For opening times, press {key}.", "営業時間は{key}を押してください。")
    )
    add_rows(data, "words", both("opening times", "営業時間", "phrase"))
    message = both("We are open from nine to five.", "営業時間は九時から五時までです。")
    add_rows(data, "announcements", [{**row, "position": "10"} for row in message])
    saved(editor.post(url, data))
    back = help_desk.options.get(key="2")
    url = reverse("admin:directory_option_change", args=[back.pk])
    data = add_rows(
        form(editor, url),
        "texts",
        both("To go back, press {key}.", "戻るには{key}を押してください。"),
    )
    saved(editor.post(url, data))
    # 4. 3 for the help desk.
    add_option(
        editor,
        menu=main,
        key="3",
        action=Option.Action.MENU,
        position="25",
        target_menu=help_desk.pk,
        sentences=both("For the help desk, press {key}.", "ヘルプデスクは{key}を押してください。"),
        words=both("help desk", "ヘルプデスク", "phrase"),
    )

    # The next call hears them, by key and by voice, in both languages.
    client.logout()
    greeting = spoken(heard(client).find("Gather"))
    assert greeting[1:3] == ["For an operator, press 0.", "For the help desk, press 3."]
    japanese = spoken(heard(client, "?lang=ja-JP&step=1").find("Gather"))
    assert japanese[1:3] == [
        "オペレーターは0を押してください。",
        "ヘルプデスクは3を押してください。",
    ]
    assert heard(client, "?step=1", Digits="0").find("Dial").text == "+17262043675"
    said = {"SpeechResult": "オペレーター", "Confidence": "0.9"}
    assert heard(client, "?lang=ja-JP&step=1", **said).find("Dial") is not None
    desk = heard(client, "?step=1", SpeechResult="help desk", Confidence="0.9")
    assert spoken(desk.find("Gather"))[:3] == [
        "Help desk.",
        "For opening times, press 1.",
        "To go back, press 2.",
    ]
    desk = heard(client, "?lang=ja-JP&step=1", Digits="3")
    assert spoken(desk.find("Gather"))[0] == "ヘルプデスクです。"
    times = heard(client, "?lang=ja-JP&menu=help-desk&step=2", SpeechResult="営業時間")
    assert spoken(times) == ["営業時間は九時から五時までです。"]
    assert times[-1].tag == "Hangup"


def test_an_option_without_the_target_its_action_needs_is_a_form_error(editor):
    url = reverse("admin:directory_option_add")
    data = form(editor, url, menu=Menu.objects.get(slug="main").pk, key="0", action="menu")
    response = editor.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert "“Go to another menu” needs this." in response.content.decode()
    assert not Option.objects.filter(menu__slug="main", key="0").exists()


def test_a_key_the_menu_uses_already_is_a_form_error(editor):
    url = reverse("admin:directory_option_add")
    data = form(editor, url, menu=Menu.objects.get(slug="main").pk, key="1", action="hang_up")
    response = editor.post(url, data)
    assert "This menu already has an option for this key." in response.content.decode()


def test_a_menu_options_lead_to_cannot_be_deleted_and_the_refusal_names_them(client, demo):
    deletes = ("directory.view_menu", "directory.delete_menu", "directory.delete_option")
    client.force_login(make_staff(permissions=deletes))
    main = Menu.objects.get(slug="main")
    desk = Menu.objects.create(name="Help desk", slug="help-desk")
    Option.objects.create(menu=main, key="3", action="menu", target_menu=desk)
    page = client.get(reverse("admin:directory_menu_delete", args=[desk.pk])).content.decode()
    assert "Main menu: 3 (Go to another menu)" in page
    client.post(reverse("admin:directory_menu_delete", args=[desk.pk]), {"post": "yes"})
    assert Menu.objects.filter(slug="help-desk").exists()


def test_a_planet_an_option_puts_callers_through_to_cannot_be_deleted(client, demo):
    deletes = ("directory.view_planet", "directory.delete_planet", "directory.delete_option")
    deletes += tuple(
        f"directory.delete_{model}"
        for model in ("planetname", "planetalias", "openinghours", "closure")
    )
    client.force_login(make_staff(permissions=deletes))
    dagobah = Planet.objects.get(name="Dagobah")
    Option.objects.create(
        menu=Menu.objects.get(slug="main"), key="0", action="planet", target_planet=dagobah
    )
    page = client.get(reverse("admin:directory_planet_delete", args=[dagobah.pk])).content.decode()
    assert "Main menu: 0 (Put the caller through to a planet)" in page
    client.post(reverse("admin:directory_planet_delete", args=[dagobah.pk]), {"post": "yes"})
    assert Planet.objects.filter(pk=dagobah.pk).exists()


def test_a_menu_whose_own_options_lead_back_to_it_can_be_deleted(demo):
    desk = Menu.objects.create(name="Help desk", slug="help-desk")
    Option.objects.create(menu=desk, key="1", action="menu", target_menu=desk)
    desk.delete()
    assert not Option.objects.filter(menu__slug="help-desk").exists()


def test_the_menu_list_warns_of_menus_no_call_reaches(editor):
    Menu.objects.create(name="Lost menu", slug="lost")
    response = editor.get(reverse("admin:directory_menu_changelist"))
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "No call reaches these menus: Lost menu. Lead an option or a number to them."
    ]
    Option.objects.create(
        menu=Menu.objects.get(slug="main"),
        key="5",
        action="menu",
        target_menu=Menu.objects.get(slug="lost"),
    )
    response = editor.get(reverse("admin:directory_menu_changelist"))
    assert list(response.context["messages"]) == []


def test_an_option_has_history_and_a_revert_heard_by_the_next_call(client, demo):
    client.force_login(make_staff(permissions=("directory.view_option", "directory.change_option")))
    directions = Option.objects.get(menu__slug="main", key="1")
    version = directions.history.earliest()
    directions.is_active = False
    directions.save()
    assert heard(client, "?step=1", Digits="1").find("Redirect") is not None
    url = reverse("admin:directory_option_simple_history", args=[directions.pk, version.history_id])
    saved(client.post(url, {**form_fields(client.get(url).content.decode()), "_save": "Revert"}))
    directions.refresh_from_db()
    assert directions.is_active is True
    assert heard(client, "?step=1", Digits="1").find("Gather") is not None


def test_where_calls_start_moves_by_the_lists_action_never_leaving_none(client, demo):
    rights = ("view_menu", "change_menu", "delete_menu", "delete_menuprompt", "delete_option")
    rights += ("delete_optionword", "delete_optiontext", "delete_announcement")
    client.force_login(make_staff(permissions=tuple(f"directory.{right}" for right in rights)))
    main = Menu.objects.get(slug="main")
    desk = Menu.objects.create(name="Help desk", slug="help-desk")
    MenuPrompt.objects.create(menu=desk, language=Language.objects.get(code="en-GB"), text="Desk.")
    # The default cannot be deleted, nor its box unticked (it is not on the form).
    assert client.get(reverse("admin:directory_menu_delete", args=[main.pk])).status_code == 403
    assert "is_default" not in form_fields(
        client.get(reverse("admin:directory_menu_change", args=[main.pk])).content.decode()
    )
    client.post(
        reverse("admin:directory_menu_changelist"),
        {"action": "make_default", "_selected_action": [desk.pk]},
    )
    assert list(Menu.objects.filter(is_default=True).values_list("slug", flat=True)) == [
        "help-desk"
    ]
    assert spoken(heard(client).find("Gather"))[0] == "Desk."
    # The list's delete action refuses a selection with where calls start in it.
    delete = {"action": "delete_selected", "post": "yes"}
    response = client.post(
        reverse("admin:directory_menu_changelist"),
        {**delete, "_selected_action": [desk.pk, main.pk]},
    )
    assert response.status_code == 403
    assert Menu.objects.count() == 3
    client.post(
        reverse("admin:directory_menu_changelist"), {**delete, "_selected_action": [main.pk]}
    )
    assert set(Menu.objects.values_list("slug", flat=True)) == {"help-desk", "directions-by-text"}


def test_the_first_menu_added_is_where_calls_start(client, db):
    client.force_login(make_staff(permissions=("directory.add_menu", "directory.view_menu")))
    url = reverse("admin:directory_menu_add")
    saved(client.post(url, form(client, url, name="Front desk", slug="front")))
    assert Menu.objects.get(slug="front").is_default is True


def test_words_another_option_of_the_menu_has_are_refused_on_the_add_page_too(editor):
    english = Language.objects.get(code="en-GB")
    url = reverse("admin:directory_option_add")
    data = form(editor, url, menu=Menu.objects.get(slug="main").pk, key="0", action="hang_up")
    add_rows(data, "words", [{"language": english.pk, "phrase": "Directions"}])
    response = editor.post(url, data)
    assert "These words already choose another option of this menu." in response.content.decode()
    assert not Option.objects.filter(menu__slug="main", key="0").exists()
