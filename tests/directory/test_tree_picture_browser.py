"""The picture of the tree in a real headless Chromium: the demo's tree and a 50-menu one, every
menu and option drawn, every link opening its change page, nothing fetched from elsewhere."""

import re

import pytest
from django.core.management import call_command
from django.urls import resolve, reverse
from playwright.sync_api import expect

from bench import tree as large_tree
from directory.models import Menu, Option
from tests.browser import PASSWORD, screenshot
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)

VIEWER = ("directory.view_menu", "directory.view_option", "calllog.view_call")


def open_picture(page, live_server, *, language="en"):
    staff = make_staff(username="drawer", permissions=VIEWER)
    hosts = set()
    page.on("request", lambda r: hosts.add(re.sub(r"^\w+://([^/]+).*", r"\1", r.url)))
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(live_server.url + reverse("admin:directory_menu_picture"))
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator(".tree-picture")).to_be_visible()
    return hosts


def drawn(page) -> tuple[set[str], int]:
    menus = set(page.locator("li.menu").evaluate_all("els => els.map(e => e.dataset.menu)"))
    return menus, page.locator("li.option").count()


def test_the_demo_tree_is_drawn_and_every_box_opens_its_change_page(page, live_server, demo):
    call_command("generate_calls", "--count", "50")
    hosts = open_picture(page, live_server)
    menus, options = drawn(page)
    assert menus == set(Menu.objects.values_list("slug", flat=True))
    assert options == Option.objects.count()
    expect(page.locator("li.menu .menu-box").first).to_contain_text("reached it")
    screenshot(page, "tree-picture-demo", docs=True, full_page=True)
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    page.emulate_media(media="screen")
    links = page.locator(".tree a.menu-box, .tree a.option-box")
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) == len(menus) + options
    for n, href in enumerate(hrefs):
        page.locator(".tree a.menu-box, .tree a.option-box").nth(n).click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        expect(page.locator("#content h1, #content h2").first).to_contain_text(
            re.compile("(Change|View) (menu|option)")
        )
        page.go_back()
    assert hosts == {live_server.url.removeprefix("http://")}


def test_a_50_menu_tree_is_drawn_whole_in_japanese(page, live_server, demo, tmp_path):
    call_command("loaddata", str(large_tree.write(tmp_path / "tree.json")), verbosity=0)
    open_picture(page, live_server, language="ja")
    expect(page.locator("h1")).to_contain_text("電話ツリー")
    # No call yet: every menu says so.
    expect(page.locator(f'li.menu[data-menu="{large_tree.ROOT}"] > a.menu-box')).to_contain_text(
        "0 件の通話が到達"
    )
    menus, options = drawn(page)
    assert menus == set(Menu.objects.values_list("slug", flat=True))
    assert len(menus) >= large_tree.MENUS
    assert options == Option.objects.count()
    # Every box links to the change page of the menu or option it draws.
    for css, model in (("a.menu-box", Menu), ("a.option-box", Option)):
        hrefs = page.locator(f".tree {css}").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        match = {resolve(href).kwargs["object_id"] for href in hrefs}
        assert match == {str(pk) for pk in model.objects.values_list("pk", flat=True)}
    page.locator(f'li.menu[data-menu="{large_tree.ROOT}"] > a.menu-box').click()
    expect(page.locator(".field-slug")).to_contain_text(large_tree.ROOT)
    page.go_back()
    # Its first screen: the whole page is some 40,000 pixels high.
    screenshot(page, "tree-picture-50-menus-ja", docs=True)
