"""The picture of the tree: every menu from every entry, each option with its key, words and
where it leads, each box a link to its change page; the last 30 days' calls on it for staff
who may read the call log."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from calllog.models import Step
from calllog.writer import entries_write
from directory.models import Action, CalledNumber, Language, Menu, Option, OptionWord
from tests.factories import log_entry, main_menu, make_menu, make_option, make_staff, step_entry

pytestmark = pytest.mark.django_db

PICTURE = "admin:directory_menu_picture"
VIEWER = ("directory.view_menu", "directory.view_option", "directory.view_callednumber")


@pytest.fixture
def tree(demo):
    """The demo with a help desk (3) leading back to the main menu, an inactive option, a
    number of its own starting at the help desk, and a menu nothing leads to."""
    main = main_menu()
    help_desk = make_menu(name="Help desk", slug="help")
    to_help = make_option(menu=main, key="3", action=Action.MENU, target_menu=help_desk)
    OptionWord.objects.create(
        option=to_help, language=Language.objects.get(code="ja-JP"), phrase="ヘルプ"
    )
    make_option(menu=help_desk, key="0", action=Action.MENU, target_menu=main)
    make_option(menu=help_desk, key="5", action=Action.HANG_UP, is_active=False)
    CalledNumber.objects.create(
        number="+81335550100", language=Language.objects.get(code="ja-JP"), entry_menu=help_desk
    )
    make_menu(name="Forgotten", slug="forgotten")
    return main, help_desk


def section(page: str, label: str) -> str:
    return page.split(f'aria-label="{label}"')[1].split("</section>")[0]


def test_every_menu_and_option_is_drawn_once_from_its_entries_and_links_to_its_change_page(
    client, tree
):
    main, help_desk = tree
    client.force_login(make_staff(permissions=VIEWER))
    response = client.get(reverse(PICTURE))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    # Each menu drawn in full once (the help desk inside the main menu, where it is met first).
    for menu in Menu.objects.all():
        assert page.count(f'data-menu="{menu.slug}"') == 1, menu
        assert reverse("admin:directory_menu_change", args=[menu.pk]) in page
    for option in Option.objects.all():
        assert reverse("admin:directory_option_change", args=[option.pk]) in page, option
    main_section = section(page, "Calls to any other number")
    assert 'data-menu="help"' in main_section
    assert 'data-key="3"' in main_section
    assert "ヘルプ" in main_section
    assert 'lang="ja-JP"' in main_section
    # The way back from the help desk names the main menu rather than drawing it again.
    assert 'href="#menu-main"' in main_section
    # The number starting at the help desk points at it, drawn above.
    assert 'href="#menu-help"' in section(page, "Calls to +81335550100")
    inactive = main_section.split('data-key="5"')[0].rsplit("<li", 1)[1]
    assert "inactive" in inactive
    unreached = section(page, "No call reaches these menus")
    assert 'data-menu="forgotten"' in unreached
    # Every box of the picture opens the change page of what it draws.
    picture = page.split('id="content-main"')[1]
    links = [part.split('"', 1)[0] for part in picture.split('href="')[1:]]
    boxes = [link for link in links if not link.startswith("#")]
    assert len(boxes) == Menu.objects.count() + Option.objects.count()
    for link in boxes:
        assert client.get(link).status_code == HTTPStatus.OK, link
        assert resolve(link).url_name in ("directory_menu_change", "directory_option_change")


def test_the_calls_of_the_last_30_days_are_on_it_for_staff_who_read_the_call_log(client, tree):
    started = timezone.now() - timedelta(minutes=5)
    for n, key in enumerate(["3", "3", "1"]):
        sid = f"CA{n}"
        numbers = {"from_number": "+1929", "to_number": "+1800"}
        entries_write(
            [
                log_entry("call_start", sid, started, **numbers, first_menu="main"),
                step_entry(
                    sid,
                    1,
                    started,
                    Step.Kind.MENU_KEY,
                    digits=key,
                    menu="main",
                    outcome="chose",
                    option=key,
                    next_menu="help" if key == "3" else "",
                ),
            ]
        )
    client.force_login(make_staff(permissions=(*VIEWER, "calllog.view_call")))
    page = client.get(reverse(PICTURE)).content.decode()
    main = page.split('data-menu="main"')[1]
    assert "3 calls reached it" in main.split("<ul>")[0]
    assert "chosen by 2 calls" in main.split('data-key="3"')[1].split("</a>")[0]
    assert "chosen by 1 call<" in main.split('data-key="1"')[1].split("</a>")[0]
    assert "2 calls reached it" in page.split('data-menu="help"')[1].split("<ul>")[0]
    client.force_login(make_staff(username="no-log", permissions=VIEWER))
    page = client.get(reverse(PICTURE)).content.decode()
    assert "reached it" not in page
    assert "chosen by" not in page


def test_the_picture_speaks_japanese_and_prints_without_the_admins_chrome(client, tree):
    client.force_login(make_staff(permissions=VIEWER))
    page = client.get(reverse(PICTURE), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "ほかの番号への通話" in page
    assert "どの通話も届かないメニュー" in page
    assert "@media print" in page
    assert "<script" not in page.split('id="content-main"')[1]


def test_the_picture_needs_permission_to_view_menus_and_options(client, tree):
    client.force_login(make_staff(username="nobody"))
    assert client.get(reverse(PICTURE)).status_code == HTTPStatus.FORBIDDEN
    client.force_login(make_staff(username="menus-only", permissions=("directory.view_menu",)))
    assert client.get(reverse(PICTURE)).status_code == HTTPStatus.FORBIDDEN


def test_our_numbers_are_named_only_for_staff_who_may_see_them(client, tree):
    client.force_login(make_staff(permissions=("directory.view_menu", "directory.view_option")))
    page = client.get(reverse(PICTURE)).content.decode()
    assert "+81335550100" not in page
    assert "Calls to our number 1" in page


def test_a_menu_only_an_inactive_option_leads_to_is_drawn_with_those_no_call_reaches(client, tree):
    main, _help = tree
    hidden = make_menu(name="Hidden", slug="hidden")
    make_option(menu=main, key="4", action=Action.MENU, target_menu=hidden, is_active=False)
    client.force_login(make_staff(permissions=VIEWER))
    page = client.get(reverse(PICTURE)).content.decode()
    assert 'data-menu="hidden"' in section(page, "No call reaches these menus")
    assert 'href="#menu-hidden"' in section(page, "Calls to any other number")


def test_the_menu_list_links_to_the_picture(client, tree):
    client.force_login(make_staff(permissions=VIEWER))
    page = client.get(reverse("admin:directory_menu_changelist")).content.decode()
    assert reverse(PICTURE) in page
