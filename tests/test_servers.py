"""The production server, started for real: several workers, SQLite or PostgreSQL."""

import json
import re
import sqlite3
import threading
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.admin_forms import form_fields
from tests.server import (
    admin_session,
    change_planet_number,
    manage,
    planet_pk,
    prepare_database,
    running_server,
    server_env,
    signed_post,
)

NUMBERS = ["+14155550100", "+14155550101"]


def dialed_number(base: str, session: requests.Session) -> str:
    """One caller's whole walk to Dagobah; returns the number the app dialed."""
    sid = {"CallSid": f"CA{threading.get_ident()}"}
    for path, params in [("/ivr/welcome", {}), ("/ivr/menu", {"Digits": "2"})]:
        response = signed_post(base, path, {**sid, **params}, session=session)
        assert response.status_code == 200, response.text
    response = signed_post(base, "/ivr/planets", {**sid, "Digits": "3"}, session=session)
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content).find("Dial").text


def test_concurrent_calls_during_admin_edits_on_sqlite_see_no_errors(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = server_env(f"sqlite:///{database}")
    prepare_database(env)
    dagobah = planet_pk(env, "Dagobah")
    log = tmp_path / "server.log"
    with running_server(env, workers=4, log_path=log) as base:
        admin = admin_session(base)
        errors, dialed, stop = [], [], threading.Event()

        def edit_forever():
            i = 0
            while not stop.is_set():
                response = change_planet_number(admin, base, dagobah, NUMBERS[i % 2])
                if response.status_code != 302:
                    errors.append(f"admin edit answered {response.status_code}")
                i += 1

        def caller(_):
            session = requests.Session()
            try:
                for _ in range(10):
                    dialed.append(dialed_number(base, session))
            except Exception as error:  # any failure counts; the assertion below lists them
                errors.append(repr(error))

        editor = threading.Thread(target=edit_forever)
        editor.start()
        try:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(caller, range(8)))
        finally:
            stop.set()
            editor.join()

    assert errors == []
    assert len(dialed) == 80
    assert set(dialed) <= {"+17262043675", *NUMBERS}
    server_log = log.read_text()
    assert "database is locked" not in server_log
    assert "Traceback" not in server_log
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_the_server_serves_the_admins_hashed_static_files(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    prepare_database(env)
    with running_server(env, workers=1, log_path=tmp_path / "server.log") as base:
        page = requests.get(f"{base}/admin/login/", timeout=10).text
        (stylesheet,) = re.findall(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page)
        response = requests.get(f"{base}{stylesheet}", timeout=10)
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert response.text.startswith("/*")


def test_the_server_refuses_to_start_without_a_twilio_token(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", TWILIO_AUTH_TOKEN="")
    with (
        pytest.raises(RuntimeError, match="TWILIO_AUTH_TOKEN"),
        running_server(env, workers=1, log_path=tmp_path / "server.log"),
    ):
        pass


def test_an_edit_through_one_server_process_is_heard_through_another(tmp_path, database_url):
    """Two app servers (two processes, as several workers or machines are) on one database."""
    env = server_env(database_url)
    prepare_database(env)
    dagobah = planet_pk(env, "Dagobah")
    with (
        running_server(env, workers=1, log_path=tmp_path / "a.log") as server_a,
        running_server(env, workers=1, log_path=tmp_path / "b.log") as server_b,
    ):
        assert server_a != server_b
        # Each server has read the directory once and keeps it until it changes.
        for server in (server_a, server_b):
            assert dialed_number(server, requests.Session()) == "+17262043675"
        response = change_planet_number(admin_session(server_a), server_a, dagobah, NUMBERS[0])
        assert response.status_code == 302
        assert dialed_number(server_b, requests.Session()) == NUMBERS[0]
        assert dialed_number(server_a, requests.Session()) == NUMBERS[0]


def japanese_greeting(base: str) -> str:
    caller = {"CallSid": "CA-ja", "To": "+18005550100"}
    response = signed_post(base, "/ivr/welcome?lang=ja-JP", caller)
    assert response.status_code == 200, response.text
    return ET.fromstring(response.content).find("Gather/Say").text


def test_a_japanese_greeting_saved_on_one_server_is_heard_through_another(tmp_path, database_url):
    env = server_env(database_url)
    prepare_database(env)
    with (
        running_server(env, workers=1, log_path=tmp_path / "a.log") as server_a,
        running_server(env, workers=1, log_path=tmp_path / "b.log") as server_b,
    ):
        assert japanese_greeting(server_b).startswith("イーティー・フォン・ホーム・サービス")
        session = admin_session(server_a)
        url = f"{server_a}/admin/directory/menu/{main_menu_pk(env)}/change/"
        fields = form_fields(session.get(url, timeout=10).text)
        japanese = next(
            name.removesuffix("-text")
            for name, value in fields.items()
            if name.endswith("-text") and value.startswith("イーティー")
        )
        fields.update({f"{japanese}-text": "ようこそ。", "_save": "Save"})
        response = session.post(url, data=fields, timeout=30, allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]
        assert japanese_greeting(server_b) == "ようこそ。"
        assert japanese_greeting(server_a) == "ようこそ。"


def main_menu_pk(env: dict) -> int:
    code = "from directory.models import Menu; print(Menu.objects.get(slug='main').pk)"
    return int(manage(env, "shell", "-c", code).split()[-1])


def walk_call(base: str, sid: str, path: list[dict]) -> None:
    """One caller along a known path, following the app's own URLs, then Twilio's callback."""
    session = requests.Session()
    caller = {"CallSid": sid, "From": "+19295550123", "To": "+18005550100"}
    root = ET.fromstring(signed_post(base, "/ivr/welcome", caller, session=session).content)
    for params in path:
        while root.find("Redirect") is not None:
            url = root.find("Redirect").text
            root = ET.fromstring(signed_post(base, url, caller, session=session).content)
        url = next(el.get("action") for el in root.iter() if el.get("action"))
        response = signed_post(base, url, {**caller, **params}, session=session)
        assert response.status_code == 200, response.text
        root = ET.fromstring(response.content)
    status = {**caller, "CallStatus": "completed", "CallDuration": "30"}
    assert signed_post(base, "/ivr/status", status, session=session).status_code == 200


PATHS = {
    "directions": ([{"Digits": "1"}], [("menu_key", "1")]),
    "dagobah": (
        [{"Digits": "2"}, {"Digits": "3"}, {"DialCallStatus": "busy"}, {}, {"Digits": "*"}],
        [
            ("menu_key", "2"),
            ("planet_key", "3"),
            ("dial_outcome", ""),
            ("voicemail_offer", ""),
            ("planet_key", "*"),
        ],
    ),
    "silent": (
        [{}, {}, {}],
        [
            ("menu_key", ""),
            ("main_menu", ""),
            ("menu_key", ""),
            ("main_menu", ""),
            ("menu_key", ""),
        ],
    ),
}

DUMP = """
import json
from calllog.models import Call
print(json.dumps({
    call.call_sid: [call.status, [[s.kind, s.digits] for s in call.steps.order_by("sequence")]]
    for call in Call.objects.all()
}))
"""


def test_fifty_concurrent_calls_are_logged_exactly(tmp_path, database_url):
    env = server_env(database_url)
    prepare_database(env)
    calls = {f"CA{n:03d}": list(PATHS)[n % len(PATHS)] for n in range(50)}
    with (
        running_server(env, workers=4, log_path=tmp_path / "server.log") as base,
        ThreadPoolExecutor(max_workers=16) as pool,
    ):
        list(pool.map(lambda sid: walk_call(base, sid, PATHS[calls[sid]][0]), calls))
    logged = json.loads(manage(env, "shell", "-c", DUMP).strip().splitlines()[-1])
    assert logged == {
        sid: ["completed", [list(step) for step in PATHS[path][1]]] for sid, path in calls.items()
    }
    assert "Traceback" not in (tmp_path / "server.log").read_text()
