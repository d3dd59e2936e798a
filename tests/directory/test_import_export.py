"""Staff export the directory as CSV or XLSX and import it back, with a preview, row errors
they understand, and nothing half-imported."""

import csv
import io
import os
from datetime import timedelta
from http import HTTPStatus

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from directory.models import Language, OpeningHours, Planet, PlanetAlias, PlanetName
from directory.resources import PlanetResource
from directory.spreadsheets import FORMULA_STARTS
from tests.conftest import parse_twiml, spoken
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"
IMPORTER = (
    "directory.import_planet",
    "directory.export_planet",
    *(
        f"directory.{action}_{model}"
        for model in ("planet", "planetname", "planetalias", "openinghours")
        for action in ("view", "add", "change", "delete")
    ),
)
HEADER = ["name", "key", "phone_number", "is_active", "position", "time_zone"]
HEADER += ["holidays_country", "opening hours", "spoken name en-GB", "also heard as en-GB"]


@pytest.fixture
def staff(client, demo):
    client.force_login(make_staff(permissions=IMPORTER))
    return client


def csv_file(rows: list[list[str]], header=HEADER) -> SimpleUploadedFile:
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    return SimpleUploadedFile("planets.csv", text.getvalue().encode(), "text/csv")


def dagobah_row(**changes) -> list[str]:
    row = dict(zip(HEADER, ["Dagobah", "3", "+17262043675", "1", "20", "UTC", ""], strict=False))
    row |= {"opening hours": "", "spoken name en-GB": "the planet DuhGo bah"}
    row |= {"also heard as en-GB": "Dagoba; Yoda's swamp"} | changes
    return [row[column] for column in HEADER]


def preview(client, upload, file_format=CSV, **extra):
    response = client.post(
        reverse("admin:directory_planet_import"),
        {"import_file": upload, "format": file_format, "resource": "0"},
        **extra,
    )
    assert response.status_code == HTTPStatus.OK
    return response


def confirm(client, response):
    data = response.context["confirm_form"].initial
    return client.post(reverse("admin:directory_planet_process_import"), data)


def row_errors(response) -> list[str]:
    result = response.context["result"]
    return [
        message
        for row in result.invalid_rows
        for messages in row.error_dict.values()
        for message in messages
    ]


def export(client, file_format=CSV) -> bytes:
    selected = {f"planetresource_{name}": "on" for name in PlanetResource().fields}
    response = client.post(
        reverse("admin:directory_planet_export"),
        {"format": file_format, "resource": "0", **selected},
    )
    assert response.status_code == HTTPStatus.OK
    return response.content


def test_the_export_has_a_planets_names_aliases_and_hours_per_language(staff):
    dagobah = Planet.objects.get(name="Dagobah")
    OpeningHours.objects.create(planet=dagobah, weekday=0, opens="09:00", closes="17:00")
    rows = list(csv.DictReader(io.StringIO(export(staff).decode("utf-8-sig"))))
    row = next(row for row in rows if row["name"] == "Dagobah")
    assert row["spoken name en-GB"] == "the planet DuhGo bah"
    assert row["spoken name ja-JP"] == "惑星ダゴバ"
    assert row["opening hours"] == "Mon 09:00-17:00"
    assert set(row["also heard as en-GB"].split("; ")) >= {"Dagoba", "Yoda's swamp"}


def test_an_import_is_previewed_and_written_only_when_confirmed(staff):
    upload = csv_file([dagobah_row(**{"spoken name en-GB": "the swamp planet"})])

    response = preview(staff, upload)

    assert row_errors(response) == []
    assert "swamp" in response.content.decode()
    assert PlanetName.objects.get(planet__name="Dagobah", language__code="en-GB").spoken_name == (
        "the planet DuhGo bah"
    )
    assert confirm(staff, response).status_code == HTTPStatus.FOUND
    menu = parse_twiml(staff.post(reverse("ivr:menu"), {"Digits": "2"}))
    assert "To call the swamp planet, press 3." in spoken(menu)


def test_an_import_sets_aliases_and_hours_to_what_the_cells_list(staff):
    row = dagobah_row(**{"also heard as en-GB": "Dagoba; bog", "opening hours": "Sat 10:00-12:00"})
    confirm(staff, preview(staff, csv_file([row])))
    dagobah = Planet.objects.get(name="Dagobah")
    english = PlanetAlias.objects.filter(planet=dagobah, language__code="en-GB")
    assert sorted(english.values_list("phrase", flat=True)) == ["Dagoba", "bog"]
    assert [(h.weekday, f"{h.opens:%H:%M}") for h in dagobah.opening_hours.all()] == [(5, "10:00")]


def test_a_new_planet_row_adds_the_planet(staff):
    row = ["Mars", "7", "+14155550100", "1", "40", "UTC", "", "", "the red planet", ""]
    confirm(staff, preview(staff, csv_file([row])))
    menu = parse_twiml(staff.post(reverse("ivr:menu"), {"Digits": "2"}))
    assert "To call the red planet, press 7." in spoken(menu)


def test_row_errors_say_what_is_wrong_and_nothing_is_imported(staff):
    upload = csv_file(
        [
            dagobah_row(**{"spoken name en-GB": "the swamp planet"}),
            ["Mars", "2", "+14155550100", "1", "40", "UTC", "", "Mon 9-5", "the red planet", ""],
        ]
    )

    response = preview(staff, upload)

    errors = row_errors(response)
    assert "Extension 2 is already used by the active planet “Brodo Asogi”. " in " ".join(errors)
    assert any("“Mon 9-5” is not a day's opening hours" in error for error in errors)
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Planet.objects.filter(name="Mars").exists()
    assert PlanetName.objects.filter(spoken_name="the swamp planet").exists() is False


def test_row_errors_are_in_the_staff_members_language(staff):
    row = ["Mars", "7", "12", "1", "40", "UTC", "", "Mon 9-5", "the red planet", ""]
    response = preview(staff, csv_file([row]), HTTP_ACCEPT_LANGUAGE="ja")
    errors = " ".join(row_errors(response))
    assert "「Mon 9-5」" in errors
    assert "is not" not in errors


def test_a_failure_while_importing_leaves_nothing_half_imported(staff):
    upload = csv_file(
        [
            dagobah_row(**{"spoken name en-GB": "the swamp planet"}),
            ["Mars", "7", "+14155550100", "1", "40", "UTC", "", "", "the red planet", ""],
        ]
    )
    response = preview(staff, upload)
    assert row_errors(response) == []
    # Between the preview and the confirmation, someone takes key 7.
    Planet.objects.create(name="Venus", key="7", phone_number="+14155550101")

    response = confirm(staff, response)

    assert response["Location"] == reverse("admin:directory_planet_import")
    assert not Planet.objects.filter(name="Mars").exists()
    assert not PlanetName.objects.filter(spoken_name="the swamp planet").exists()


def test_an_xlsx_export_imports_back_unchanged(staff):
    before = sorted(PlanetName.objects.values_list("planet__name", "language__code", "spoken_name"))
    content = export(staff, XLSX)
    assert openpyxl.load_workbook(io.BytesIO(content)).active["A1"].value == "name"
    upload = SimpleUploadedFile("planets.xlsx", content)

    response = preview(staff, upload, XLSX)
    assert row_errors(response) == []
    confirm(staff, response)

    after = sorted(PlanetName.objects.values_list("planet__name", "language__code", "spoken_name"))
    assert after == before
    assert PlanetAlias.objects.filter(planet__name="Dagobah").count() > 0


IMPORT_NEEDS = [p for p in IMPORTER if ".view_" not in p and p != "directory.export_planet"]
IMPORT_NEEDS.remove("directory.delete_planet")
EXPORT_NEEDS = ["directory.export_planet"] + [p for p in IMPORTER if ".view_" in p]


def import_answers(client) -> list[int]:
    """What the import's three steps answer the client: the form, the preview, the confirmation."""
    form = client.get(reverse("admin:directory_planet_import")).status_code
    upload = csv_file([dagobah_row(**{"spoken name en-GB": "the swamp planet"})])
    preview_ = client.post(
        reverse("admin:directory_planet_import"),
        {"import_file": upload, "format": CSV, "resource": "0"},
    ).status_code
    confirmation = client.post(
        reverse("admin:directory_planet_process_import"),
        {"import_file_name": "0" * 32, "original_file_name": "p.csv", "format": CSV},
    ).status_code
    return [form, preview_, confirmation]


def export_answers(client) -> list[int]:
    """What the export answers: its form, and the file (or a refusal)."""
    form = client.get(reverse("admin:directory_planet_export")).status_code
    selected = {f"planetresource_{name}": "on" for name in PlanetResource().fields}
    download = client.post(
        reverse("admin:directory_planet_export"), {"format": CSV, "resource": "0", **selected}
    )
    if download.status_code == HTTPStatus.OK:
        assert download["Content-Disposition"].startswith("attachment;")
    return [form, download.status_code]


def test_the_import_needs_its_permission_and_every_write_it_makes(client, demo):
    """Import needs "Can import planets" with add and change of planets, and add, change and
    delete of spoken names, aliases and opening hours; without any one of them, every step of
    it is refused and nothing changes."""
    assert "directory.import_planet" in IMPORT_NEEDS
    assert len(IMPORT_NEEDS) == 1 + 2 + 3 * 3
    for missing in IMPORT_NEEDS:
        granted = tuple(p for p in IMPORTER if p != missing)
        client.force_login(make_staff(username=f"without-{missing}", permissions=granted))
        assert import_answers(client) == [HTTPStatus.FORBIDDEN] * 3, missing
    assert not PlanetName.objects.filter(spoken_name="the swamp planet").exists()


def test_a_login_that_may_only_view_the_call_log_neither_imports_nor_exports(client, demo):
    client.force_login(make_staff(permissions=("calllog.view_call",)))
    assert import_answers(client) == [HTTPStatus.FORBIDDEN] * 3
    assert export_answers(client) == [HTTPStatus.FORBIDDEN] * 2
    page = client.get(reverse("admin:directory_planet_changelist"))
    assert page.status_code == HTTPStatus.FORBIDDEN


def test_a_planet_editor_without_the_import_permission_sees_no_import_button(client, demo):
    granted = tuple(p for p in IMPORTER if p not in ("directory.import_planet",))
    client.force_login(make_staff(permissions=granted))
    page = client.get(reverse("admin:directory_planet_changelist")).content.decode()
    assert reverse("admin:directory_planet_import") not in page
    assert reverse("admin:directory_planet_export") in page


def test_the_export_needs_its_permission_and_to_see_every_table_it_reads(client, demo):
    for missing in EXPORT_NEEDS:
        granted = tuple(p for p in EXPORT_NEEDS if p != missing)
        client.force_login(make_staff(username=f"without-{missing}", permissions=granted))
        assert export_answers(client) == [HTTPStatus.FORBIDDEN] * 2, missing
    client.force_login(make_staff(username="exporter", permissions=tuple(EXPORT_NEEDS)))
    assert export_answers(client) == [HTTPStatus.OK] * 2
    assert import_answers(client) == [HTTPStatus.FORBIDDEN] * 3


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("spoken name en-GB", "a" * 5000, "at most 200 characters (it has 5000)"),
        ("also heard as en-GB", "Dagoba; " + "b" * 101, "at most 100 characters (it has 101)"),
        ("name", "D" * 101, "at most 100 characters (it has 101)"),
    ],
)
def test_an_import_keeps_the_admin_forms_limits(staff, column, value, message):
    response = preview(staff, csv_file([dagobah_row(**{column: value})]))

    result = response.context["result"]
    [row] = result.invalid_rows
    assert any(message in error for error in row.error_dict[column])
    assert response.context.get("confirm_form") is None
    assert not PlanetName.objects.filter(spoken_name__startswith="aaaa").exists()
    assert not PlanetAlias.objects.filter(phrase__startswith="bbbb").exists()


def test_a_spoken_names_limit_is_said_in_the_staff_members_language(staff):
    row = dagobah_row(**{"spoken name en-GB": "a" * 5000})
    response = preview(staff, csv_file([row]), HTTP_ACCEPT_LANGUAGE="ja")
    errors = " ".join(row_errors(response))
    assert "200" in errors
    assert "at most" not in errors


def test_the_confirmation_cannot_name_a_file_the_import_did_not_make(staff, tmp_path):
    planted = tmp_path / "planets.csv"
    planted.write_text("name,key\nMars,7\n")
    for name in [str(planted), "../../etc/passwd", "planets.csv", "A" * 32, ""]:
        response = staff.post(
            reverse("admin:directory_planet_process_import"),
            {"import_file_name": name, "original_file_name": "p.csv", "format": CSV},
        )
        # A name the import did not make is refused; none at all, a form error.
        expected = HTTPStatus.OK if name == "" else HTTPStatus.BAD_REQUEST
        assert response.status_code == expected, name
        assert not Planet.objects.filter(name="Mars").exists()
    assert planted.exists()


def test_the_uploaded_file_waits_in_the_default_storage_not_the_system_temp_folder(staff):
    response = preview(staff, csv_file([dagobah_row(**{"spoken name en-GB": "the bog"})]))
    name = response.context["confirm_form"].initial["import_file_name"]
    assert len(name) == 32
    assert int(name, 16) >= 0
    assert default_storage.exists(f"imports/{name}")

    confirm(staff, response)

    assert not default_storage.exists(f"imports/{name}")


def two_days_old_preview(staff):
    """A preview whose file was written two days ago; the preview and the file's name."""
    response = preview(staff, csv_file([dagobah_row(**{"spoken name en-GB": "the bog"})]))
    name = response.context["confirm_form"].initial["import_file_name"]
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(default_storage.path(f"imports/{name}"), (two_days_ago, two_days_ago))
    return response, name


def test_a_preview_older_than_a_day_has_expired(staff):
    response, name = two_days_old_preview(staff)

    answer = confirm(staff, response)

    assert answer["Location"] == reverse("admin:directory_planet_import")
    assert "the preview has expired" in staff.get(answer["Location"]).content.decode()
    assert not PlanetName.objects.filter(spoken_name="the bog").exists()
    assert not default_storage.exists(f"imports/{name}")


def test_an_unconfirmed_preview_is_deleted_by_an_upload_a_day_later(staff):
    _, old = two_days_old_preview(staff)

    preview(staff, csv_file([dagobah_row()]))

    assert not default_storage.exists(f"imports/{old}")


@pytest.mark.parametrize("column", ["name", "spoken name en-GB", "also heard as en-GB"])
def test_an_import_refuses_a_null_character_as_the_admins_forms_do(staff, column):
    response = preview(staff, csv_file([dagobah_row(**{column: "Dago\x00bah"})]))

    [row] = response.context["result"].invalid_rows
    assert row.error_dict[column] == ["Null characters are not allowed."]
    assert response.context.get("confirm_form") is None


def test_an_import_takes_the_white_space_around_a_cell_away(staff):
    row = dagobah_row(name=" Dagobah\t", **{"spoken name en-GB": "  the swamp planet "})
    confirm(staff, preview(staff, csv_file([row])))

    assert Planet.objects.filter(name__contains="Dagobah").count() == 1
    name = PlanetName.objects.get(planet__name="Dagobah", language__code="en-GB")
    assert name.spoken_name == "the swamp planet"


def test_a_preview_confirmed_twice_imports_once_and_then_says_it_expired(staff):
    response = preview(staff, csv_file([dagobah_row(**{"spoken name en-GB": "the bog"})]))
    assert confirm(staff, response).status_code == HTTPStatus.FOUND

    again = confirm(staff, response)

    assert again.status_code == HTTPStatus.FOUND
    assert again["Location"] == reverse("admin:directory_planet_import")
    page = staff.get(again["Location"]).content.decode()
    assert "the preview has expired" in page
    assert PlanetName.objects.filter(spoken_name="the bog").count() == 1


HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTab",
    "\rReturn",
    "'=already marked",
]


@pytest.fixture
def hostile(demo):
    """Planets whose every text is one a spreadsheet would run."""
    english = Language.objects.get(code="en-GB")
    for number, text in enumerate(HOSTILE):
        planet = Planet.objects.create(
            name=text, key=str(900 + number), phone_number=f"+1415555010{number}"
        )
        PlanetName.objects.create(planet=planet, language=english, spoken_name=text)
        PlanetAlias.objects.create(planet=planet, language=english, phrase=text)
    return HOSTILE


def assert_inert(cell):
    if isinstance(cell, str):
        assert not cell.startswith(FORMULA_STARTS), repr(cell)


def test_no_cell_of_the_csv_export_is_a_formula(staff, hostile):
    rows = list(csv.reader(io.StringIO(export(staff).decode("utf-8-sig"))))
    for row in rows:
        for cell in row:
            assert_inert(cell)
    cells = {cell for row in rows for cell in row}
    assert "'+14155550100" in cells
    assert {f"'{text}" for text in hostile} <= cells


def test_no_cell_of_the_xlsx_export_is_a_formula(staff, hostile):
    sheet = openpyxl.load_workbook(io.BytesIO(export(staff, XLSX))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    for cell in cells:
        assert cell.data_type != "f", cell.coordinate
        assert_inert(cell.value)
    # XML reads a carriage return as a line feed.
    marked = {f"'{text}".replace("\r", "\n") for text in hostile}
    assert marked <= {cell.value for cell in cells}


def test_an_export_with_hostile_names_imports_back_as_it_was(staff, hostile):
    content = export(staff)
    Planet.objects.filter(name__in=hostile).update(is_active=False)

    response = preview(staff, SimpleUploadedFile("planets.csv", content))
    assert row_errors(response) == []
    confirm(staff, response)

    # Cells lose their outer white space, as in the admin's forms: "\tTab" comes back "Tab".
    stripped = {text.strip() for text in hostile}
    active = set(Planet.objects.filter(is_active=True).values_list("name", flat=True))
    assert active >= stripped
    names = PlanetName.objects.filter(planet__name__in=stripped, planet__is_active=True)
    assert set(names.values_list("spoken_name", flat=True)) == stripped


@pytest.mark.parametrize("file_format", ["abc", "99", "-1", ""])
def test_a_confirmation_with_a_format_the_import_has_not_is_a_bad_request(staff, file_format):
    response = preview(staff, csv_file([dagobah_row(**{"spoken name en-GB": "the bog"})]))
    data = response.context["confirm_form"].initial | {"format": file_format}

    answer = staff.post(reverse("admin:directory_planet_process_import"), data)

    assert answer.status_code == HTTPStatus.BAD_REQUEST
    assert not PlanetName.objects.filter(spoken_name="the bog").exists()


def test_a_csv_preview_confirmed_as_xlsx_says_the_file_could_not_be_read(staff):
    response = preview(staff, csv_file([dagobah_row(**{"spoken name en-GB": "the bog"})]))
    data = response.context["confirm_form"].initial | {"format": XLSX}

    answer = staff.post(reverse("admin:directory_planet_process_import"), data)

    assert answer["Location"] == reverse("admin:directory_planet_import")
    assert "the file could not be read" in staff.get(answer["Location"]).content.decode()
    assert not PlanetName.objects.filter(spoken_name="the bog").exists()


@pytest.mark.parametrize("query", [{"foo": "1"}, {"format": "99"}])
def test_an_export_with_a_filter_the_list_would_refuse_is_a_bad_request(staff, query):
    response = staff.get(reverse("admin:directory_planet_export"), query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
