"""Staff export the directory as CSV or XLSX and import it back, with a preview, row errors
they understand, and nothing half-imported."""

import csv
import io
from http import HTTPStatus

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.models import OpeningHours, Planet, PlanetAlias, PlanetName
from directory.resources import PlanetResource
from tests.conftest import parse_twiml, spoken
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"
IMPORTER = ("directory.view_planet", "directory.change_planet", "directory.add_planet")
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
