"""The benchmark measures real answers: every request in its mix is accepted and answered."""

from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings

from bench import mix, tree
from calllog.models import Call, Step, Utterance
from directory.models import (
    Action,
    Announcement,
    CalledNumber,
    Menu,
    MenuPrompt,
    Option,
    OptionText,
    OptionWord,
    Planet,
)
from tests.conftest import loaddata_once
from voicemail.models import Voicemail

pytestmark = pytest.mark.django_db


def post(client, request: mix.Request):
    return client.post(
        request.path,
        request.body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=request.signature,
    )


@pytest.fixture
def requests(demo):
    return mix.calls(
        base_url="http://localhost",
        token=settings.TWILIO_AUTH_TOKEN,
        prefix="CAbench",
        count=3,
        planet_pk=Planet.objects.get(name="Dagobah").pk,
    )


def test_every_signed_request_in_the_mix_gets_200_and_twiml(unsigned_client, requests):
    kinds = set()
    for request in requests:
        response = post(unsigned_client, request)
        assert response.status_code == HTTPStatus.OK, request.path
        assert ET.fromstring(response.content).tag == "Response"
        kinds.add(request.path.split("?")[0])
    assert kinds == {
        "/ivr/welcome",
        "/ivr/menu",
        "/ivr/planets",
        "/ivr/dialed",
        "/ivr/voicemail/offered",
        "/ivr/voicemail/recorded",
        "/ivr/voicemail/recording",
        "/ivr/status",
    }


def test_each_request_of_a_call_is_one_the_previous_answer_pointed_at(unsigned_client, requests):
    """The full mix follows our own TwiML, so what it measures is what Twilio would ask."""
    pointed_at: dict[str, set[str]] = {}
    for request in requests:
        call_sid = dict(parse_qsl(request.body))["CallSid"]
        if call_sid in pointed_at and not request.path.startswith("/ivr/status"):
            assert request.path in pointed_at[call_sid], (request.path, pointed_at[call_sid])
        root = ET.fromstring(post(unsigned_client, request).content)
        urls = [
            el.get(name) for el in root.iter() for name in ("action", "recordingStatusCallback")
        ]
        urls += [el.text for el in root.iter("Redirect")]
        pointed_at.setdefault(call_sid, set()).update(
            urlsplit(url)._replace(scheme="", netloc="").geturl() for url in urls if url
        )


def test_the_mix_walks_its_calls_to_their_ends_and_is_logged(unsigned_client, requests):
    for request in requests:
        post(unsigned_client, request)
    assert Call.objects.filter(status="completed").count() == 9
    # The third call of each group: in Japanese, by speech, leaving a message.
    assert Call.objects.filter(language="ja-JP").count() == 3
    assert Utterance.objects.filter(language="ja-JP", planet__name="Dagobah").count() == 3
    assert Voicemail.objects.filter(planet__name="Dagobah", language="ja-JP").count() == 3
    assert Step.objects.filter(kind=Step.Kind.DIAL_OUTCOME, dial_status="busy").count() == 3
    assert Step.objects.filter(kind=Step.Kind.MENU_KEY, digits="1").count() == 3


def test_a_mix_signed_for_another_host_is_refused(unsigned_client, demo):
    (request, *_) = mix.calls(
        base_url="http://127.0.0.1:8000",
        token=settings.TWILIO_AUTH_TOKEN,
        prefix="CAx",
        count=1,
        planet_pk=1,
    )
    response = post(unsigned_client, request)
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_shared_mix_gets_200_and_twiml_and_is_logged(unsigned_client, demo):
    """The mix the Node sample is measured on too: welcome, 1, 2, a wrong key, a planet."""
    shared = mix.shared(
        base_url="http://localhost", token=settings.TWILIO_AUTH_TOKEN, prefix="CAs", count=2
    )
    for request in shared:
        response = post(unsigned_client, request)
        assert response.status_code == HTTPStatus.OK, request.path
        assert ET.fromstring(response.content).tag == "Response"
    dialed = Step.objects.filter(kind=Step.Kind.PLANET_KEY, planet__name="Dagobah")
    assert (Call.objects.count(), dialed.count()) == (4, 2)
    assert Step.objects.filter(kind=Step.Kind.PLANET_KEY, digits="9", planet=None).count() == 2


# The tree's menus with no menus below them but under a topic: where its calls walk to.
SUBJECTS = [tree.slug(n) for n in tree.leaves() if tree.parent(n) != 0]


@pytest.fixture
def large_tree(demo, tmp_path):
    """bench/tree.py's 50 menus, loaded as make bench loads them (beside the demo's tree)."""
    loaddata_once(tree.write(tmp_path / "tree.json"))


@pytest.fixture
def tree_requests(large_tree):
    """Two calls to every subject's menu: one in English, one in Japanese."""
    return mix.tree(
        base_url="http://localhost",
        token=settings.TWILIO_AUTH_TOKEN,
        prefix="CAtree",
        count=2 * len(SUBJECTS),
    )


def test_the_large_tree_has_50_menus_of_10_options_each_doing_one_kind_of_action(large_tree):
    menus = Menu.objects.filter(slug__startswith="tree-")
    assert menus.count() == 50
    for menu in menus:
        assert sorted(menu.options.values_list("key", flat=True)) == list("0123456789")
    actions = set(Option.objects.filter(menu__in=menus).values_list("action", flat=True))
    # Every kind but sending a text: a benchmark sends no texts (they would go to Twilio).
    assert actions == set(Action.values) - {Action.TEXT}
    assert len(SUBJECTS) == 42


def test_the_large_tree_keeps_the_rules_staff_are_held_to(large_tree):
    """loaddata skips full_clean(): every row is one the admin would have accepted (no two
    options of a menu share words, each action has its one target, known placeholders)."""
    for model in (Menu, MenuPrompt, Option, OptionText, OptionWord, Announcement, CalledNumber):
        for row in model.objects.all():
            row.full_clean()


def test_every_signed_request_of_the_tree_mix_gets_200_and_twiml(unsigned_client, tree_requests):
    for request in tree_requests:
        response = post(unsigned_client, request)
        assert response.status_code == HTTPStatus.OK, request.path
        assert ET.fromstring(response.content).tag == "Response"


def test_each_request_of_a_tree_call_is_one_its_previous_answer_pointed_at(
    unsigned_client, tree_requests
):
    """The walk follows our own TwiML (a Gather's action, or a Redirect after a key no option
    has) and each call ends on a message that hangs up."""
    pointed_at: dict[str, set[str]] = {}
    last: dict[str, ET.Element] = {}
    for request in tree_requests:
        call_sid = dict(parse_qsl(request.body))["CallSid"]
        if call_sid in pointed_at:
            assert request.path in pointed_at[call_sid], (request.path, pointed_at[call_sid])
        root = last[call_sid] = ET.fromstring(post(unsigned_client, request).content)
        urls = [el.get("action") for el in root.iter("Gather")]
        urls += [el.text for el in root.iter("Redirect")]
        pointed_at[call_sid] = {
            urlsplit(url)._replace(scheme="", netloc="").geturl() for url in urls if url
        }
    assert len(last) == 2 * len(SUBJECTS)
    assert all(root[-1].tag == "Hangup" for root in last.values())


def test_the_tree_mix_hears_every_subject_in_both_languages_and_is_logged(
    unsigned_client, tree_requests
):
    for request in tree_requests:
        post(unsigned_client, request)
    heard = {
        (query["menu"], query.get("lang", "en-GB"))
        for request in tree_requests
        if "menu" in (query := dict(parse_qsl(urlsplit(request.path).query)))
    }
    assert {(slug, lang) for slug in SUBJECTS for lang in ("en-GB", "ja-JP")} <= heard
    calls = Call.objects.filter(to_number=tree.NUMBER)
    assert (calls.count(), calls.filter(language="ja-JP").count()) == (84, 42)
    # Every request but a call's first welcome is a step of it.
    assert Step.objects.filter(call__in=calls).count() == len(tree_requests) - 84
