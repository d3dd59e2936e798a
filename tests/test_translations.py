"""The Japanese catalogues: complete, compiled from their sources, holding every marked string."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path.relative_to(BASE_DIR)
    for path in BASE_DIR.glob("**/locale/ja/LC_MESSAGES/django.po")
    if not path.relative_to(BASE_DIR).parts[0].startswith(".")
)
# Apps with strings staff see, and the project's own templates and settings.
EXPECTED = {
    f"{room}locale/ja/LC_MESSAGES/django.po"
    for room in [
        "",
        "calllog/",
        "debugger/",
        "directory/",
        "ivr/",
        "simulator/",
        "texts/",
        "voicemail/",
    ]
}
# The options `make messages` runs makemessages with (file names only: line numbers would
# change the catalogues on every edit, and conflict on every merge).
MAKEMESSAGES = ["makemessages", "--locale", "ja", "--add-location", "file"]
# What makemessages need not see: it skips dot folders (.venv, .git) by itself.
NOT_SOURCE = shutil.ignore_patterns(
    ".*", "__pycache__", "artifacts", "staticfiles", "db.sqlite3*", "*.mo"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def messages(entries) -> dict:
    """{(context, msgid): translation} of a catalogue's entries, its header left out."""
    return {
        (entry.msgctxt, entry.msgid): {int(n): text for n, text in entry.msgstr_plural.items()}
        or entry.msgstr
        for entry in entries
        if entry.msgid
    }


def entries(po: polib.POFile) -> list[tuple]:
    """What makes a catalogue: its entries in order, with their flags and files."""
    return [
        (entry.msgctxt, entry.msgid, entry.msgid_plural, entry.msgstr, entry.msgstr_plural,
         sorted(entry.flags), sorted({file for file, _ in entry.occurrences}))
        for entry in po
    ]  # fmt: skip


def test_every_app_with_staff_strings_has_a_japanese_catalogue():
    assert {str(path) for path in CATALOGUES} == EXPECTED


@pytest.mark.parametrize("path", CATALOGUES, ids=str)
def test_every_message_is_translated_and_none_is_fuzzy(path):
    po = polib.pofile(BASE_DIR / path)
    assert po.metadata["Language"] == "ja"
    assert not po.metadata_is_fuzzy
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert [entry.msgid for entry in po.obsolete_entries()] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=str)
def test_translations_keep_every_placeholder(path):
    for entry in polib.pofile(BASE_DIR / path):
        for translation in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(
                PLACEHOLDER.findall(entry.msgid)
            ), entry.msgid


@pytest.mark.parametrize("path", CATALOGUES, ids=str)
def test_the_committed_mo_file_is_compiled_from_its_po_file(path):
    mo = BASE_DIR / path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages` and commit it."
    compiled = messages(polib.mofile(mo))
    assert compiled == messages(polib.pofile(BASE_DIR / path).translated_entries()), (
        f"{mo} is out of date: run `make messages` and commit it."
    )


def test_every_string_marked_in_the_code_is_in_the_catalogues(tmp_path):
    """makemessages over a copy of the project changes no catalogue: none lacks a string."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is missing: `make test` installs Debian's gettext.")
    copy = tmp_path / "etphone"
    shutil.copytree(BASE_DIR, copy, ignore=NOT_SOURCE)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(copy)}
    subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES, "--verbosity", "0"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    for path in CATALOGUES:
        regenerated = polib.pofile(copy / path)
        assert entries(regenerated) == entries(polib.pofile(BASE_DIR / path)), (
            f"{path} is not what makemessages makes of the code: run `make messages`, "
            "translate what is new, and commit both files."
        )
