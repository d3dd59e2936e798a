"""Staff edit the directory in the admin, and callers hear it on the next call."""

from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.urls import reverse

from directory.models import Directions, Language, Option, Planet, Prompt
from tests.admin_forms import form_fields
from tests.conftest import parse_twiml, prompt_text, spoken
from tests.factories import make_directions, make_staff

pytestmark = pytest.mark.django_db

PLANET_EDITOR = ("directory.view_planet", "directory.change_planet", "directory.add_planet")
PLANET_EDITOR += ("directory.view_planetname", "directory.change_planetname")
PLANET_EDITOR += ("directory.add_planetname",)
PROMPT_EDITOR = ("directory.change_prompt", "directory.view_prompttext")
PROMPT_EDITOR += ("directory.change_prompttext", "directory.add_prompttext")


class ErrorList(HTMLParser):
    """The texts of the admin form's error lists."""

    def __init__(self, html: str):
        super().__init__()
        self.errors, self._depth = [], 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if self._depth or (tag == "ul" and "errorlist" in (dict(attrs).get("class") or "")):
            self._depth += 1

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth and data.strip():
            self.errors.append(data.strip())


def change_form(client, url: str, **changes) -> dict:
    """What the change form at url submits, with some fields changed."""
    data = form_fields(client.get(url).content.decode())
    data.update(changes, _save="Save")
    return {key: value for key, value in data.items() if value is not None}


def planet_url(name: str = "Dagobah") -> str:
    return reverse("admin:directory_planet_change", args=[Planet.objects.get(name=name).pk])


@pytest.fixture
def editor(client, demo):
    client.force_login(make_staff(permissions=PLANET_EDITOR))
    return client


def test_a_staff_editor_changes_a_number_and_the_next_call_dials_it(editor):
    url = planet_url()
    assert editor.get(url).status_code == HTTPStatus.OK

    response = editor.post(url, change_form(editor, url, phone_number="+1 415 555 0100"))

    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    root = parse_twiml(editor.post(reverse("ivr:planets"), {"Digits": "3"}))
    assert root.find("Dial").text == "+14155550100"


def test_a_duplicate_key_is_refused_with_the_name_of_the_planet_using_it(editor):
    dagobah = Planet.objects.get(name="Dagobah")
    url = planet_url()

    response = editor.post(url, change_form(editor, url, key="2"))

    assert response.status_code == HTTPStatus.OK
    assert ErrorList(response.content.decode()).errors == [
        "Extension 2 is already used by the active planet “Brodo Asogi”. "
        "Choose another extension, or deactivate “Brodo Asogi” first.",
    ]
    assert Planet.objects.get(pk=dagobah.pk).key == "3"


def test_an_invalid_number_is_refused_with_an_example(editor):
    dagobah = Planet.objects.get(name="Dagobah")
    url = planet_url()
    response = editor.post(url, change_form(editor, url, phone_number="12"))
    errors = ErrorList(response.content.decode()).errors
    assert "“12” is not a valid phone number. Enter it with its country code, " in errors[0]
    assert Planet.objects.get(pk=dagobah.pk).phone_number == "+17262043675"


def test_a_staff_editor_adds_a_planet_that_callers_hear_in_the_menu(editor):
    response = editor.post(
        reverse("admin:directory_planet_add"),
        {
            "name": "Mars",
            "key": "7",
            "phone_number": "+14155550100",
            "is_active": "on",
            "position": "40",
            "time_zone": "UTC",
            "opening_hours-TOTAL_FORMS": "0",
            "opening_hours-INITIAL_FORMS": "0",
            "closures-TOTAL_FORMS": "0",
            "closures-INITIAL_FORMS": "0",
            "names-TOTAL_FORMS": "2",
            "names-INITIAL_FORMS": "0",
            "names-0-language": Language.objects.get(code="en-GB").pk,
            "names-0-spoken_name": "the red planet",
            "names-1-language": Language.objects.get(code="ja-JP").pk,
            "names-1-spoken_name": "赤い惑星",
            "_save": "Save",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    root = parse_twiml(editor.post(reverse("ivr:menu"), {"Digits": "2"}))
    assert "To call the red planet, press 7." in spoken(root)
    root = parse_twiml(editor.post(reverse("ivr:menu") + "?lang=ja-JP", {"Digits": "2"}))
    assert "赤い惑星に電話をかけるには、7を押してください。" in spoken(root)


def test_staff_without_directory_permissions_cannot_edit_planets(client, demo):
    client.force_login(make_staff(username="nobody"))
    dagobah = Planet.objects.get(name="Dagobah")
    url = reverse("admin:directory_planet_change", args=[dagobah.pk])
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN


def test_the_planet_list_previews_exactly_what_callers_hear(client, demo):
    # The preview says the prompts' words too: for a login that may see them.
    client.force_login(make_staff(permissions=(*PLANET_EDITOR, "directory.view_prompttext")))
    Planet.objects.filter(name="Brodo Asogi").update(is_active=False)
    response = client.get(reverse("admin:directory_planet_changelist"))
    previews = {
        language.code: [sentence.text for sentence in sentences]
        for language, sentences in response.context["directory_previews"]
    }
    assert set(previews) == {"en-GB", "ja-JP"}
    for code, query in [("en-GB", ""), ("ja-JP", "?lang=ja-JP")]:
        root = parse_twiml(client.post(reverse("ivr:menu") + query, {"Digits": "2"}))
        assert previews[code] == spoken(root.find("Gather"))
    assert "To call the planet DuhGo bah, press 3." in response.content.decode()
    assert "惑星ダゴバに電話をかけるには、3を押してください。" in response.content.decode()


def test_the_planet_list_can_be_searched_by_part_of_a_number(editor):
    response = editor.get(reverse("admin:directory_planet_changelist"), {"q": "726"})
    assert [planet.name for planet in response.context["cl"].result_list] == ["Dagobah"]


def test_putting_a_directions_version_in_use_switches_what_callers_hear(client, demo):
    client.force_login(make_staff(permissions=("directory.change_directions",)))
    winter = make_directions(name="Winter route", text="Take the sledge.")

    response = client.post(
        reverse("admin:directory_directions_changelist"),
        {"action": "put_in_use", "_selected_action": [winter.pk]},
    )

    assert response.status_code == HTTPStatus.FOUND
    in_use = Directions.objects.filter(in_use=True).values_list("name", "language__code")
    assert sorted(in_use) == [("Winter route", "en-GB"), ("自転車ルート（デモ）", "ja-JP")]
    root = parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "1"}))
    assert spoken(root)[0] == "Take the sledge."


def test_taking_directions_out_of_use_leaves_callers_the_fallback(client, demo):
    client.force_login(make_staff(permissions=("directory.change_directions",)))
    client.post(
        reverse("admin:directory_directions_changelist"),
        {
            "action": "take_out_of_use",
            "_selected_action": list(Directions.objects.values_list("pk", flat=True)),
        },
    )
    root = parse_twiml(client.post(reverse("ivr:menu"), {"Digits": "1"}))
    assert spoken(root)[0] == prompt_text(Prompt.Key.DIRECTIONS_UNAVAILABLE)


def test_a_language_without_directions_in_use_hears_the_default_languages(client, demo):
    client.force_login(make_staff(permissions=("directory.change_directions",)))
    japanese = Directions.objects.get(language__code="ja-JP")
    client.post(
        reverse("admin:directory_directions_changelist"),
        {"action": "take_out_of_use", "_selected_action": [japanese.pk]},
    )
    root = parse_twiml(client.post(reverse("ivr:menu") + "?lang=ja-JP", {"Digits": "1"}))
    assert root[0].text.startswith("To get to your extraction point")
    assert (root[0].get("language"), root[1].get("language")) == ("en-GB", "ja-JP")


def test_a_prompt_edited_in_the_admin_is_heard_on_the_next_call(client, demo):
    client.force_login(make_staff(permissions=PROMPT_EDITOR))
    no_input = Prompt.objects.get(key=Prompt.Key.NO_INPUT)
    url = reverse("admin:directory_prompt_change", args=[no_input.pk])
    response = client.post(
        url, change_form(client, url, **{"texts-0-text": "Nothing heard, traveller & friend <3"})
    )
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    root = parse_twiml(client.post(reverse("ivr:menu"), {"Digits": ""}))
    assert spoken(root)[0] == "Nothing heard, traveller & friend <3"


# In Japanese: a browser that prefers it gets the admin, and its errors, in Japanese.

JAPANESE = {"HTTP_ACCEPT_LANGUAGE": "ja"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"phone_number": "12"},
            "「12」は有効な電話番号ではありません。"
            "+19295566487 のように国番号を付けて入力してください。",
            id="invalid-number",
        ),
        pytest.param(
            {"key": "2"},
            "内線番号 2 は有効な惑星「Brodo Asogi」がすでに使っています。"
            "別の内線番号を選ぶか、先に「Brodo Asogi」を無効にしてください。",
            id="duplicate-key",
        ),
    ],
)
def test_a_bad_planet_is_refused_in_japanese_for_a_japanese_browser(editor, changes, expected):
    dagobah = Planet.objects.get(name="Dagobah")
    url = planet_url()
    response = editor.post(url, change_form(editor, url, **changes), **JAPANESE)
    assert ErrorList(response.content.decode()).errors == [expected]
    assert Planet.objects.get(pk=dagobah.pk).phone_number == "+17262043675"


def test_an_unknown_placeholder_is_refused_in_japanese(client, demo):
    client.force_login(make_staff(permissions=PROMPT_EDITOR))
    line = Prompt.objects.get(key=Prompt.Key.PLANET_OPTION)
    url = reverse("admin:directory_prompt_change", args=[line.pk])
    response = client.post(
        url,
        change_form(client, url, **{"texts-0-text": "To call {planet}, press {digit}."}),
        **JAPANESE,
    )
    assert ErrorList(response.content.decode()).errors == [
        "不明なプレースホルダー {digit} があります。"
        "このプロンプトで使えるのは {planet}, {key} です。"
    ]


def test_the_planet_form_shows_its_labels_and_help_in_japanese(editor):
    dagobah = Planet.objects.get(name="Dagobah")
    html = editor.get(
        reverse("admin:directory_planet_change", args=[dagobah.pk]), **JAPANESE
    ).content.decode()
    assert '<html lang="ja"' in html
    assert "発信先の番号" in html
    assert "国番号を付けて入力します。例: +17262043675。E.164 形式で保存されます。" in html
    assert "メニューでの扱い" in html


def test_the_planet_list_and_its_preview_are_in_japanese(client, demo):
    client.force_login(make_staff(permissions=(*PLANET_EDITOR, "directory.view_prompttext")))
    html = client.get(reverse("admin:directory_planet_changelist"), **JAPANESE).content.decode()
    assert "惑星一覧で発信者に聞こえる内容" in html
    assert "未翻訳の言語" in html  # the column: languages a planet has no spoken name in
    # What callers hear is data: the preview stays in the prompts' own words.
    assert "To call the planet DuhGo bah, press 3." in html


def test_the_directions_actions_speak_japanese(client, demo):
    client.force_login(make_staff(permissions=("directory.change_directions",)))
    winter = make_directions(name="Winter route", text="Take the sledge.")
    response = client.post(
        reverse("admin:directory_directions_changelist"),
        {"action": "put_in_use", "_selected_action": [winter.pk]},
        follow=True,
        **JAPANESE,
    )
    assert "発信者には「Winter route」が流れるようになりました。" in response.content.decode()
    assert "選択されたバージョンを使用する" in response.content.decode()


def test_the_first_language_added_is_the_default_and_the_default_cannot_be_deleted(client, db):
    client.force_login(
        make_staff(
            permissions=(
                "directory.add_language",
                "directory.change_language",
                "directory.delete_language",
            )
        )
    )
    response = client.post(
        reverse("admin:directory_language_add"),
        {"code": "ja-JP", "name": "日本語", "voice": "Polly.Mizuki", "position": "10",
         "_save": "Save"},
    )  # fmt: skip
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    japanese = Language.objects.get()
    assert japanese.is_default is True
    delete = reverse("admin:directory_language_delete", args=[japanese.pk])
    assert client.get(delete).status_code == HTTPStatus.FORBIDDEN


def test_making_a_language_the_default_retires_the_one_before(client, demo):
    client.force_login(make_staff(permissions=("directory.change_language",)))
    japanese = Language.objects.get(code="ja-JP")
    client.post(
        reverse("admin:directory_language_changelist"),
        {"action": "make_default", "_selected_action": [japanese.pk]},
    )
    assert list(Language.objects.filter(is_default=True).values_list("code", flat=True)) == [
        "ja-JP"
    ]
    root = parse_twiml(client.post(reverse("ivr:welcome")))
    assert spoken(root)[0] == prompt_text("greeting", "ja-JP")


def add_inline_row(data: dict, prefix: str, **fields) -> dict:
    """The form data with one more row in the inline of this prefix."""
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    data.update({f"{prefix}-{n}-{name}": value for name, value in fields.items()})
    return data


ALIAS_EDITOR = ("directory.view_planetalias", "directory.add_planetalias")
ALIAS_EDITOR += ("directory.change_planetalias",)


def test_a_staff_editor_adds_an_alias_that_the_next_caller_is_understood_by(client, demo):
    client.force_login(make_staff(permissions=PLANET_EDITOR + ALIAS_EDITOR))
    said = {"SpeechResult": "where fog sleeps", "Confidence": "0.9"}
    assert parse_twiml(client.post(reverse("ivr:planets"), said)).find("Dial") is None
    english = Language.objects.get(code="en-GB")
    data = add_inline_row(
        change_form(client, planet_url()),
        "aliases",
        language=str(english.pk),
        phrase="where fog sleeps",
    )
    response = client.post(planet_url(), data)
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    dial = parse_twiml(client.post(reverse("ivr:planets"), said)).find("Dial")
    assert dial.text == Planet.objects.get(name="Dagobah").phone_number


def test_a_phrase_twice_for_one_planet_and_language_is_a_form_error(client, demo):
    client.force_login(make_staff(permissions=PLANET_EDITOR + ALIAS_EDITOR))
    english = Language.objects.get(code="en-GB")
    data = add_inline_row(
        change_form(client, planet_url()), "aliases", language=str(english.pk), phrase="Dagoba"
    )
    response = client.post(planet_url(), data)
    assert response.status_code == HTTPStatus.OK
    assert ErrorList(response.content.decode()).errors


def test_a_staff_editor_adds_an_options_words_in_a_language(client, demo):
    client.force_login(
        make_staff(
            permissions=(
                "directory.change_option",
                "directory.view_optionword",
                "directory.add_optionword",
                "directory.change_optionword",
            )
        )
    )
    japanese = Language.objects.get(code="ja-JP")
    directions = Option.objects.get(menu__slug="main", key="1")
    url = reverse("admin:directory_option_change", args=[directions.pk])
    data = add_inline_row(change_form(client, url), "words", language=japanese.pk, phrase="地図")
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, ErrorList(response.content.decode()).errors
    said = {"SpeechResult": "地図", "Confidence": "0.9"}
    root = parse_twiml(client.post(reverse("ivr:menu") + "?lang=ja-JP", said))
    # The directions, then their offer by text.
    assert [child.tag for child in root] == ["Say", "Gather"]


def test_a_login_that_may_see_planets_only_neither_hears_nor_searches_their_words(client, demo):
    """Spoken names, aliases and prompts are their own models: the planet list neither shows
    them in its preview nor searches them for a login without their view permission."""
    client.force_login(make_staff(permissions=("directory.view_planet",)))
    url = reverse("admin:directory_planet_changelist")

    page = client.get(url)
    by_alias = client.get(url, {"q": "Yoda's swamp"})

    assert "planet-directory-preview" not in page.content.decode()
    assert "DuhGo" not in page.content.decode()
    assert list(by_alias.context["cl"].result_list) == []


def test_a_login_that_may_see_the_words_hears_and_searches_them(client, demo):
    permissions = ("directory.view_planet", "directory.view_planetname")
    permissions += ("directory.view_planetalias", "directory.view_prompttext")
    client.force_login(make_staff(permissions=permissions))
    url = reverse("admin:directory_planet_changelist")

    page = client.get(url)
    by_alias = client.get(url, {"q": "Yoda's swamp"})

    assert "planet-directory-preview" in page.content.decode()
    assert [planet.name for planet in by_alias.context["cl"].result_list] == ["Dagobah"]


def test_the_prompt_list_shows_texts_only_to_logins_that_may_see_them(client, demo):
    client.force_login(make_staff(permissions=("directory.view_prompt",)))
    url = reverse("admin:directory_prompt_changelist")

    everything = list(client.get(url).context["cl"].result_list)
    searched = client.get(url, {"q": "Thanks for calling"})

    assert "Thanks for calling" not in client.get(url).content.decode()
    # Nothing to search in: the search narrows nothing, so it confirms nothing.
    assert list(searched.context["cl"].result_list) == everything
