"""The staff pages in a real headless Chromium that prefers Japanese, and the language switch."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from calllog.models import Call, Step, Utterance
from directory.models import Directions, Planet, PlanetAlias
from tests.browser import PASSWORD, screenshot
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def japanese_page(browser):
    """A page in a browser whose language is Japanese (navigator.language and Accept-Language)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="ja-JP",
        extra_http_headers={"Accept-Language": "ja,en;q=0.5"},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, url, *, button):
    """Open url, meet the admin's sign-in form, and sign in as a superuser."""
    staff = make_staff(username="mission-control", is_superuser=True)
    page.goto(url)
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def heading(page, name):
    return page.get_by_role("heading", name=name, exact=True)


def test_the_admin_is_in_japanese_for_a_browser_that_prefers_it(japanese_page, live_server, demo):
    page, site = japanese_page, live_server.url
    call_command("generate_calls", "--count", "60")
    sign_in(page, site + reverse("admin:index"), button="ログイン")

    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_role("link", name="電話帳", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="通話記録", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="回収地点への案内")).to_be_visible()
    screenshot(page, "ja-admin-index", full_page=True)

    page.goto(site + reverse("admin:directory_planet_changelist"))
    expect(heading(page, "惑星一覧で発信者に聞こえる内容")).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("未翻訳の言語")
    screenshot(page, "ja-planets", docs=True, full_page=True)

    # A bad number gets a Japanese error, under the Japanese label and help text.
    dagobah = Planet.objects.get(name="Dagobah")
    page.goto(site + reverse("admin:directory_planet_change", args=[dagobah.pk]))
    expect(page.get_by_text("発信先の番号")).to_be_visible()
    expect(page.get_by_text("国番号を付けて入力します。例: +17262043675。")).to_be_visible()
    page.get_by_label("発信先の番号").fill("12")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text(
        "「12」は有効な電話番号ではありません。"
        "+19295566487 のように国番号を付けて入力してください。"
    )
    screenshot(page, "ja-planet-error", full_page=True)

    page.goto(site + reverse("admin:directory_prompt_changelist"))
    expect(page.locator("#result_list")).to_contain_text("入力の失敗が続いた後のお別れ")
    expect(page.locator("#result_list")).to_contain_text("場面")
    screenshot(page, "ja-prompts", full_page=True)

    # The tree's rules, in Japanese: an option that puts callers through needs its planet.
    page.goto(site + reverse("admin:directory_option_add"))
    page.locator("#id_menu").select_option(label="Main menu")
    page.locator("#id_key").select_option("0")
    page.locator("#id_action").select_option(label="惑星につなぐ")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#id_target_planet_error")).to_contain_text(
        "「惑星につなぐ」にはこの項目が必要です。"
    )
    screenshot(page, "ja-option-error", full_page=True)

    page.goto(site + reverse("admin:directory_directions_changelist"))
    expect(page.locator("select[name=action]")).to_contain_text("選択されたバージョンを使用する")
    expect(page.locator("#result_list")).to_contain_text("使用中")
    directions = Directions.objects.get(language__code="ja-JP")
    page.goto(site + reverse("admin:directory_directions_change", args=[directions.pk]))
    expect(
        page.get_by_text("1 を押した発信者には、その言語で使用中のバージョンが流れます。")
    ).to_be_visible()
    screenshot(page, "ja-directions", full_page=True)

    page.goto(site + reverse("admin:directory_language_changelist"))
    expect(page.locator("#result_list")).to_contain_text("プロンプト 0 件、惑星の読み上げ名 0 件")
    screenshot(page, "ja-languages", full_page=True)

    page.goto(site + reverse("admin:directory_menu_changelist"))
    expect(page.locator("#result_list")).to_contain_text("電話が始まるメニュー")
    expect(page.locator("#result_list")).to_contain_text("1 2 8 9")
    screenshot(page, "ja-menus", full_page=True)

    page.goto(site + reverse("admin:calllog_call_changelist"))
    expect(page.locator("#changelist-filter")).to_contain_text("発信先の惑星")
    expect(page.locator("#changelist-filter")).to_contain_text("案内を聞いた")
    expect(page.get_by_role("link", name="ダッシュボード")).to_be_visible()
    screenshot(page, "ja-calls", full_page=True)

    call = Call.objects.filter(steps__kind=Step.Kind.PLANET_KEY).first()
    page.goto(site + reverse("admin:calllog_call_change", args=[call.pk]))
    expect(page.locator(".call-timeline")).to_contain_text("着信: Main menu")
    expect(page.locator(".call-timeline")).to_contain_text("惑星一覧: ")
    screenshot(page, "ja-call", full_page=True)

    page.goto(site + reverse("admin:calllog_dashboard"))
    expect(heading(page, "通話ダッシュボード")).to_be_visible()
    expect(page.get_by_role("img", name="日別の通話数")).to_be_visible()
    expect(page.get_by_role("img", name="惑星別の通話数")).to_be_visible()
    expect(page.locator("#planets table")).to_contain_text("応答率")
    screenshot(page, "ja-dashboard", full_page=True)


def test_the_simulator_and_the_home_page_are_in_japanese(japanese_page, live_server, demo):
    page, site = japanese_page, live_server.url
    # Staff sign in to the admin first: the simulator does not send them there (its path).
    signing_in = f"{reverse('admin:login')}?next={reverse('simulator:phone')}"
    sign_in(page, site + signing_in, button="ログイン")

    expect(heading(page, "通話シミュレーター")).to_be_visible()
    page.get_by_label("話し中").check()
    page.get_by_role("button", name="発信").click()
    log = page.get_by_role("log")
    # The words of the phone tree are data, in the prompts' language; the page's own are Japanese.
    expect(log).to_contain_text("Thanks for calling the E T Phone Home Service.")
    expect(log.locator(".who-speaks").first).to_have_text("自動音声応答")
    keypad = page.get_by_role("group", name="キーパッド")
    keypad.get_by_role("button", name="2", exact=True).click()
    expect(log).to_contain_text("To call the planet DuhGo bah, press 3.")
    keypad.get_by_role("button", name="3", exact=True).click()
    expect(log.locator(".dialed")).to_contain_text("発信中")
    expect(log.locator(".dialed")).to_contain_text("話し中")
    expect(log.locator(".pressed").first).to_contain_text("押したキー")
    page.get_by_role("button", name="電話を切る").click()
    expect(page.get_by_role("status")).to_have_text("電話を切りました")
    screenshot(page, "ja-simulator", full_page=True)

    page.goto(site + reverse("home"))
    expect(heading(page, "Twilio の番号をつなぐ")).to_be_visible()
    expect(page.locator("#webhook-url")).to_have_text(site + reverse("ivr:welcome"))
    screenshot(page, "ja-home", full_page=True)


def test_staff_switch_the_admin_between_english_and_japanese(page, live_server, demo):
    sign_in(page, live_server.url + reverse("admin:index"), button="Log in")
    expect(heading(page, "Site administration")).to_be_visible()

    page.get_by_role("button", name="日本語").click()
    expect(heading(page, "サイト管理")).to_be_visible()
    expect(page.get_by_role("link", name="電話帳", exact=True)).to_be_visible()
    screenshot(page, "ja-switched", full_page=True)

    page.get_by_role("button", name="English").click()
    expect(heading(page, "Site administration")).to_be_visible()
    expect(page.get_by_role("link", name="Directory", exact=True)).to_be_visible()


def test_staff_add_words_not_understood_in_japanese(japanese_page, live_server, demo):
    page, site = japanese_page, live_server.url
    for n in range(2):
        Utterance.objects.create(
            call_id=f"CA-ja-{n}",
            sequence=1,
            language="ja-JP",
            heard="ぬまのほし",
            confidence=0.8,
            score=40,
        )
    sign_in(page, site + reverse("admin:calllog_utterance_unmatched"), button="ログイン")
    page.goto(site + reverse("admin:calllog_utterance_unmatched") + "?language=ja-JP")
    expect(heading(page, "理解できなかった発信者の言葉")).to_be_visible()
    expect(page.locator("#unmatched-phrases")).to_contain_text("ぬまのほし")
    page.get_by_label("この意味として扱う").select_option(label="Dagobah (3)")
    screenshot(page, "ja-unmatched", full_page=True)
    page.get_by_role("button", name="選んだ言葉を追加").click()
    expect(page.locator(".messagelist")).to_contain_text("「ぬまのほし」と言った発信者は")
    assert PlanetAlias.objects.filter(planet__name="Dagobah", phrase="ぬまのほし").exists()
