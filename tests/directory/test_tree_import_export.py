"""Staff export the tree's menus and options as CSV or XLSX and import them back: a tree moves
whole, a row staff must correct is named with its column, nothing is half-imported, no cell runs
in a spreadsheet, and each step needs its permissions."""

import csv
import io
from http import HTTPStatus

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import (
    Announcement,
    Language,
    Menu,
    MenuPrompt,
    Option,
    OptionText,
    OptionWord,
    Planet,
)
from directory.resources import MenuResource, OptionResource
from directory.spreadsheets import FORMULA_STARTS
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"
TREE = ("menu", "menuprompt", "option", "optiontext", "optionword", "announcement")
PORTER = (
    "directory.import_menu",
    "directory.export_menu",
    "directory.view_planet",
    *(f"directory.{action}_{model}" for model in TREE for action in ("view", "add", "change")),
    *(f"directory.delete_{model}" for model in TREE if model not in ("menu", "option")),
)
OPTION_HEADER = ["menu", "key", "position", "read_out", "is_active", "action", "target_menu"]
OPTION_HEADER += ["target_planet", "target_language", "sentence en-GB", "words en-GB"]
OPTION_HEADER += ["message en-GB"]
RESOURCES = {"menu": MenuResource, "option": OptionResource}


@pytest.fixture
def staff(client, demo):
    client.force_login(make_staff(permissions=PORTER))
    return client


def help_desk() -> None:
    """The docs' walkthrough (docs/staff/tree.md), as data: 0 for an operator, 3 for a help desk
    whose options say the opening hours and go back; every kind of target a row can name."""
    english, japanese = Language.objects.get(code="en-GB"), Language.objects.get(code="ja-JP")
    main = Menu.objects.get(slug="main")
    operator = Option.objects.create(
        menu=main, key="0", position=5, action="planet", target_planet=Planet.objects.first()
    )
    OptionText.objects.create(
        option=operator, language=english, text="For an operator, press {key}."
    )
    OptionWord.objects.create(option=operator, language=english, phrase="operator")
    desk = Menu.objects.create(name="Help desk", slug="help-desk")
    MenuPrompt.objects.create(menu=desk, language=english, text="Help desk.")
    MenuPrompt.objects.create(menu=desk, language=japanese, text="ヘルプデスクです。")
    to_desk = Option.objects.create(
        menu=main, key="3", position=25, action="menu", target_menu=desk
    )
    OptionText.objects.create(
        option=to_desk, language=english, text="For the help desk, press {key}."
    )
    OptionWord.objects.create(option=to_desk, language=english, phrase="help desk")
    OptionWord.objects.create(option=to_desk, language=japanese, phrase="ヘルプデスク")
    hours = Option.objects.create(menu=desk, key="1", position=10, action="announce")
    OptionText.objects.create(
        option=hours, language=english, text="For opening times, press {key}."
    )
    OptionWord.objects.create(option=hours, language=english, phrase="opening times")
    for position, text in [(10, "We are open from nine to five."), (20, "Goodbye.")]:
        Announcement.objects.create(option=hours, language=english, position=position, text=text)
    back = Option.objects.create(
        menu=desk, key="2", position=20, action="menu", target_menu=main, read_out=False
    )
    OptionWord.objects.create(option=back, language=english, phrase="back")


# What callers send, step by step: the answers to these are what the tree sounds like.
CALLS = [
    ("ivr:welcome", "", {}),
    ("ivr:menu", "?step=1&lang=ja-JP", {"Digits": "9"}),
    *(("ivr:menu", "?step=1", {"Digits": key}) for key in "01239#"),
    ("ivr:menu", "?step=1", {"SpeechResult": "help desk", "Confidence": "0.9"}),
    ("ivr:menu", "?step=1&lang=ja-JP", {"SpeechResult": "ヘルプデスク", "Confidence": "0.9"}),
    ("ivr:menu", "?step=1", {"SpeechResult": "directions", "Confidence": "0.9"}),
    ("ivr:menu", "?step=2&menu=help-desk", {"Digits": "1"}),
    ("ivr:menu", "?step=2&menu=help-desk", {"SpeechResult": "back", "Confidence": "0.9"}),
]


def answers(client) -> list[bytes]:
    """The TwiML each step of CALLS answers."""
    heard = []
    for name, query, params in CALLS:
        response = client.post(reverse(name) + query, params)
        assert response.status_code == HTTPStatus.OK
        heard.append(response.content)
    return heard


def export(client, model: str, file_format=CSV) -> bytes:
    resource = RESOURCES[model]
    selected = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().fields}
    response = client.post(
        reverse(f"admin:directory_{model}_export"),
        {"format": file_format, "resource": "0", **selected},
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def preview(client, model: str, content: bytes, file_format=CSV, **extra):
    name = "tree.xlsx" if file_format == XLSX else "tree.csv"
    response = client.post(
        reverse(f"admin:directory_{model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": file_format, "resource": "0"},
        **extra,
    )
    assert response.status_code == HTTPStatus.OK
    return response


def confirm(client, model: str, response):
    data = response.context["confirm_form"].initial
    answer = client.post(reverse(f"admin:directory_{model}_process_import"), data)
    assert answer.status_code == HTTPStatus.FOUND
    return answer


def imports(client, model: str, content: bytes, file_format=CSV) -> None:
    """Preview the file, check it has nothing to correct, and confirm it."""
    response = preview(client, model, content, file_format)
    assert invalid(response) == {}
    assert not response.context["result"].has_errors()
    confirm(client, model, response)


def invalid(response) -> dict[int, dict[str, list[str]]]:
    """The preview's refused rows: by row number, each column's errors."""
    return {row.number: row.error_dict for row in response.context["result"].invalid_rows}


def csv_file(rows: list[list[str]], header=OPTION_HEADER) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    return text.getvalue().encode()


def option_row(**cells) -> list[str]:
    row = dict.fromkeys(OPTION_HEADER, "")
    row |= {"menu": "main", "key": "0", "position": "5", "read_out": "1", "is_active": "1"}
    row |= {"action": "directory"} | cells
    return [row[column] for column in OPTION_HEADER]


def tree() -> list[tuple]:
    """Every menu, option and row of theirs, as the calls read them (no ids)."""
    return sorted(
        [
            *Menu.objects.values_list("slug", "name", "is_default"),
            *MenuPrompt.objects.values_list("menu__slug", "language__code", "text"),
            *Option.objects.values_list(
                "menu__slug", "key", "position", "action", "target_menu__slug",
                "target_planet__name", "target_language__code", "read_out", "is_active",
            ),
            *OptionText.objects.values_list("option__menu__slug", "option__key", "text"),
            *OptionWord.objects.values_list("option__menu__slug", "option__key", "phrase"),
            *Announcement.objects.values_list(
                "option__menu__slug", "option__key", "language__code", "position", "text"
            ),
        ],
        key=repr,
    )  # fmt: skip


@pytest.mark.parametrize("file_format", [CSV, XLSX])
def test_an_exported_tree_imported_into_an_empty_one_answers_every_call_the_same(
    staff, file_format
):
    help_desk()
    before, rows = answers(staff), tree()
    menus = export(staff, "menu", file_format)
    options = export(staff, "option", file_format)
    Option.objects.all().delete()
    Menu.objects.all().delete()
    assert not MenuPrompt.objects.exists()

    imports(staff, "menu", menus, file_format)
    imports(staff, "option", options, file_format)

    assert tree() == rows
    assert answers(staff) == before


def test_the_option_export_names_menus_planets_and_languages_and_lists_words_and_message(staff):
    help_desk()
    rows = list(csv.DictReader(io.StringIO(export(staff, "option").decode("utf-8-sig"))))
    by_key = {(row["menu"], row["key"]): row for row in rows}
    assert by_key["main", "3"]["target_menu"] == "help-desk"
    assert by_key["main", "0"]["target_planet"] == Planet.objects.first().name
    assert by_key["main", "9"]["target_language"] == "ja-JP"
    assert by_key["main", "3"]["words ja-JP"] == "ヘルプデスク"
    hours = by_key["help-desk", "1"]
    assert hours["message en-GB"] == "We are open from nine to five. | Goodbye."
    assert hours["sentence en-GB"] == "For opening times, press {key}."
    main = next(csv.DictReader(io.StringIO(export(staff, "menu").decode("utf-8-sig"))))
    assert main["slug"] == "main"
    assert main["is_default"] == "1"
    assert (
        main["prompt ja-JP"]
        == MenuPrompt.objects.get(menu__slug="main", language__code="ja-JP").text
    )


def test_an_import_changes_an_options_message_sentence_by_sentence_keeping_each_ones_voice(
    staff,
):
    help_desk()
    first = Announcement.objects.get(text="We are open from nine to five.")
    first.voice = "Polly.Amy"
    first.save()
    row = option_row(
        menu="help-desk",
        key="1",
        position="10",
        action="announce",
        **{
            "sentence en-GB": "For opening times, press {key}.",
            "words en-GB": "opening times; hours",
            "message en-GB": "We are open from ten to four. | Closed on Sundays. | Goodbye.",
        },
    )

    imports(staff, "option", csv_file([row]))

    message = Announcement.objects.filter(option__menu__slug="help-desk", option__key="1")
    assert list(message.values_list("position", "text", "voice")) == [
        (10, "We are open from ten to four.", "Polly.Amy"),
        (20, "Closed on Sundays.", ""),
        (30, "Goodbye.", ""),
    ]
    words = OptionWord.objects.filter(option__menu__slug="help-desk", option__key="1")
    assert sorted(words.values_list("phrase", flat=True)) == ["hours", "opening times"]
    times = staff.post(reverse("ivr:menu") + "?step=2&menu=help-desk", {"Digits": "1"})
    assert b"We are open from ten to four." in times.content


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        (
            {"action": "planet", "target_planet": "Nowhere"},
            "target_planet",
            "No planet has the name “Nowhere”.",
        ),
        (
            {"action": "planet"},
            "target_planet",
            "“Put the caller through to a planet” needs this.",
        ),
        (
            {"action": "directory", "target_menu": "main"},
            "target_menu",
            "Leave this empty: “The planet directory” does not use it.",
        ),
        ({"menu": "nowhere"}, "menu", "No menu has the short name “nowhere”."),
        ({"key": "x"}, "key", "Value 'x' is not a valid choice."),
        ({"words en-GB": "planets"}, "words en-GB", "“planets” already chooses the option of"),
        ({"sentence en-GB": "Press {digit}."}, "sentence en-GB", "Unknown placeholder {digit}."),
        ({"message en-GB": "a | {x}"}, "message en-GB", "Unknown placeholder {x}."),
        ({"words en-GB": "w" * 101}, "words en-GB", "at most 100 characters (it has 101)"),
        ({"sentence en-GB": "Pr\x00ess"}, "sentence en-GB", "Null characters are not allowed."),
        ({"menu": "ma\x00in"}, "menu", "Null characters are not allowed."),
    ],
)  # fmt: skip
def test_a_row_that_breaks_a_rule_is_named_with_its_column_and_nothing_is_imported(
    staff, cells, column, message
):
    good = option_row(key="0", **{"sentence en-GB": "For an operator, press {key}."})
    upload = csv_file([good, option_row(**{"key": "7"} | cells)])

    response = preview(staff, "option", upload)

    errors = invalid(response)
    assert list(errors) == [2]
    assert any(message in error for error in errors[2][column]), errors
    assert response.context.get("confirm_form") is None
    assert not Option.objects.filter(menu__slug="main", key__in="07").exists()


def test_two_rows_for_the_same_key_of_a_menu_are_refused_on_the_second(staff):
    upload = csv_file([option_row(key="0"), option_row(key="0", action="hang_up")])

    response = preview(staff, "option", upload)

    assert invalid(response) == {
        3 - 1: {"key": ["Row 1 is this key of this menu already: one row per option."]}
    }
    assert not Option.objects.filter(menu__slug="main", key="0").exists()


def test_a_column_for_a_language_the_line_has_not_is_refused_on_every_row(staff):
    header = [*OPTION_HEADER, "words fr-FR"]
    upload = csv_file([[*option_row(key="0"), "bonjour"], [*option_row(key="7"), ""]], header)

    response = preview(staff, "option", upload)

    message = (
        "The line has no language fr-FR: add it under Languages first, or take this column out."
    )
    assert invalid(response) == {1: {"words fr-FR": [message]}, 2: {"words fr-FR": [message]}}
    assert not Option.objects.filter(menu__slug="main", key__in="07").exists()


def test_a_menu_row_is_checked_like_the_menu_form(staff):
    header = ["slug", "name", "is_default", "prompt en-GB", "prompt xx-XX"]
    upload = csv_file(
        [
            ["help-desk", "Help desk", "0", "Help desk.", ""],
            ["bad slug", "Bad", "0", "Say {something}.", ""],
            ["second", "Second", "1", "", ""],
        ],
        header,
    )

    response = preview(staff, "menu", upload)

    errors = invalid(response)
    assert sorted(errors) == [1, 2, 3]
    assert "prompt xx-XX" in errors[1]
    # Row 3's is_default is no error: the column is exported, not imported (where calls start
    # moves by the list's action).
    assert list(errors[3]) == ["prompt xx-XX"]
    assert any("slug" in e or "letters" in e.lower() for e in errors[2]["slug"])
    assert errors[2]["prompt en-GB"] == ["A menu's text has no placeholders: write the words out."]
    assert not Menu.objects.filter(slug="help-desk").exists()


def test_an_import_never_moves_where_calls_start(staff):
    upload = csv_file(
        [["main", "Main menu", "0"], ["desk", "Desk", "1"]], ["slug", "name", "is_default"]
    )
    confirm(staff, "menu", preview(staff, "menu", upload))
    assert list(Menu.objects.filter(is_default=True).values_list("slug", flat=True)) == ["main"]
    assert Menu.objects.filter(slug="desk", is_default=False).exists()


def test_row_errors_are_in_the_staff_members_language(staff):
    row = option_row(key="7", action="planet", target_planet="Nowhere")

    response = preview(staff, "option", csv_file([row]), HTTP_ACCEPT_LANGUAGE="ja")

    [error] = invalid(response)[1]["target_planet"]
    assert error == "名前が「Nowhere」の惑星はありません。"


def test_a_failure_while_importing_leaves_nothing_half_imported(staff):
    upload = csv_file(
        [
            option_row(key="0", **{"sentence en-GB": "For an operator, press {key}."}),
            option_row(key="7", action="planet", target_planet="Dagobah"),
        ]
    )
    response = preview(staff, "option", upload)
    assert invalid(response) == {}
    # Between the preview and the confirmation, the planet is renamed.
    Planet.objects.filter(name="Dagobah").update(name="Dagobah II")

    answer = confirm(staff, "option", response)

    assert answer["Location"] == reverse("admin:directory_option_import")
    page = staff.get(answer["Location"]).content.decode()
    assert "Nothing was imported: the options changed since the preview." in page
    assert not Option.objects.filter(menu__slug="main", key__in="07").exists()
    assert not OptionText.objects.filter(text="For an operator, press {key}.").exists()


HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)"]


@pytest.fixture
def hostile(staff):
    """A menu and an option whose every text is one a spreadsheet would run."""
    english = Language.objects.get(code="en-GB")
    menu = Menu.objects.create(name=HOSTILE[0], slug="hostile")
    MenuPrompt.objects.create(menu=menu, language=english, text=HOSTILE[1])
    option = Option.objects.create(menu=menu, key="1", action="announce")
    OptionText.objects.create(option=option, language=english, text=HOSTILE[2])
    OptionWord.objects.create(option=option, language=english, phrase=HOSTILE[3])
    Announcement.objects.create(option=option, language=english, position=10, text=HOSTILE[0])
    return staff


def assert_inert(cell):
    if isinstance(cell, str):
        assert not cell.startswith(FORMULA_STARTS), repr(cell)


@pytest.mark.parametrize("model", ["menu", "option"])
def test_no_cell_of_the_csv_export_is_a_formula(hostile, model):
    rows = list(csv.reader(io.StringIO(export(hostile, model).decode("utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    for cell in cells:
        assert_inert(cell)
    assert {f"'{text}" for text in HOSTILE} & cells


@pytest.mark.parametrize("model", ["menu", "option"])
def test_no_cell_of_the_xlsx_export_is_a_formula(hostile, model):
    sheet = openpyxl.load_workbook(io.BytesIO(export(hostile, model, XLSX))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        assert_inert(cell.value)
    assert {f"'{text}" for text in HOSTILE} & {cell.value for cell in cells}


def test_hostile_texts_import_back_as_they_were(hostile):
    before = tree()
    menus, options = export(hostile, "menu"), export(hostile, "option")
    Option.objects.filter(menu__slug="hostile").delete()
    Menu.objects.filter(slug="hostile").delete()

    imports(hostile, "menu", menus)
    imports(hostile, "option", options)

    assert tree() == before


# Permissions.

IMPORT_NEEDS = {
    "menu": ["directory.import_menu"]
    + [f"directory.{a}_menu" for a in ("add", "change")]
    + [f"directory.{a}_menuprompt" for a in ("add", "change", "delete")],
    "option": ["directory.import_menu"]
    + [f"directory.{a}_option" for a in ("add", "change")]
    + [
        f"directory.{a}_{model}"
        for model in ("optiontext", "optionword", "announcement")
        for a in ("add", "change", "delete")
    ],
}
EXPORT_NEEDS = {
    "menu": ["directory.export_menu", "directory.view_menu", "directory.view_menuprompt"],
    "option": ["directory.export_menu"]
    + [
        f"directory.view_{model}"
        for model in ("option", "optiontext", "optionword", "announcement", "menu", "planet")
    ],
}
UPLOADS = {
    "menu": (["slug", "name", "is_default", "prompt en-GB"], ["desk", "Desk", "0", "Desk."]),
    "option": (OPTION_HEADER, option_row(key="0", **{"sentence en-GB": "Operator: {key}."})),
}


def import_answers(client, model: str) -> list[int]:
    """What the import's three steps answer: the form, the preview, the confirmation."""
    url = reverse(f"admin:directory_{model}_import")
    form = client.get(url).status_code
    header, row = UPLOADS[model]
    upload = SimpleUploadedFile("tree.csv", csv_file([row], header))
    preview_ = client.post(url, {"import_file": upload, "format": CSV, "resource": "0"})
    confirmation = client.post(
        reverse(f"admin:directory_{model}_process_import"),
        {"import_file_name": "0" * 32, "original_file_name": "tree.csv", "format": CSV},
    )
    return [form, preview_.status_code, confirmation.status_code]


def export_answers(client, model: str) -> list[int]:
    """What the export answers: its form, and the file (or a refusal)."""
    url = reverse(f"admin:directory_{model}_export")
    resource = RESOURCES[model]
    selected = {f"{resource.__name__.lower()}_{name}": "on" for name in resource().fields}
    download = client.post(url, {"format": CSV, "resource": "0", **selected})
    return [client.get(url).status_code, download.status_code]


def buttons(client, model: str) -> set[str]:
    page = client.get(reverse(f"admin:directory_{model}_changelist")).content.decode()
    return {
        step for step in ("import", "export") if reverse(f"admin:directory_{model}_{step}") in page
    }


@pytest.mark.parametrize("model", ["menu", "option"])
def test_the_import_needs_its_permission_and_every_write_it_makes(client, demo, model):
    """Without any one of them the list has no import button and every step is refused."""
    needs = IMPORT_NEEDS[model]
    views = (f"directory.view_{model}",)
    client.force_login(make_staff(username="importer", permissions=(*needs, *views)))
    assert "import" in buttons(client, model)
    for missing in needs:
        granted = (*views, *(p for p in needs if p != missing))
        client.force_login(make_staff(username=f"without-{missing}", permissions=granted))
        assert "import" not in buttons(client, model), missing
        assert import_answers(client, model) == [HTTPStatus.FORBIDDEN] * 3, missing
    assert not Menu.objects.filter(slug="desk").exists()
    assert not OptionText.objects.filter(text="Operator: {key}.").exists()


@pytest.mark.parametrize("model", ["menu", "option"])
def test_the_export_needs_its_permission_and_to_see_every_table_it_reads(client, demo, model):
    needs = EXPORT_NEEDS[model]
    client.force_login(make_staff(username="exporter", permissions=tuple(needs)))
    assert buttons(client, model) == {"export"}
    assert export_answers(client, model) == [HTTPStatus.OK] * 2
    assert import_answers(client, model) == [HTTPStatus.FORBIDDEN] * 3
    for missing in needs:
        granted = tuple(p for p in needs if p != missing)
        client.force_login(make_staff(username=f"without-{missing}", permissions=granted))
        if f"directory.view_{model}" in granted:
            assert "export" not in buttons(client, model), missing
        assert export_answers(client, model) == [HTTPStatus.FORBIDDEN] * 2, missing


def test_the_planet_import_permission_does_not_import_menus(client, demo):
    planets = ("directory.import_planet", "directory.export_planet")
    client.force_login(make_staff(permissions=(*planets, *IMPORT_NEEDS["menu"][1:])))
    assert import_answers(client, "menu") == [HTTPStatus.FORBIDDEN] * 3
    assert export_answers(client, "menu") == [HTTPStatus.FORBIDDEN] * 2
