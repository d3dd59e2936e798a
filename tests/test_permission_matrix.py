"""Every page the admin and the staff pages expose, asked (GET and POST) by every kind of login:
each answer is exactly what the login's permissions allow, and a refused write changes nothing.

The pages come from the admin site's own registry and URL patterns, so a page added later is
asked too: a model's custom page is expected to need the permission to view that model until
POLICY says otherwise. Each request runs in a transaction rolled back after it, so every cell
starts from the same database. The PostgreSQL run asks one role, the directory editor (it may
write some tables and not others, import included): every role on it would repeat the same
Django permission checks, three times slower.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calllog.models import Call, Utterance
from calllog.writer import entries_write
from debugger.models import Report
from debugger.services import report_receive
from directory.admin import ImportFiles, InlineRowAdmin
from directory.models import (
    Announcement,
    CalledNumber,
    Closure,
    Language,
    Menu,
    MenuPrompt,
    OpeningHours,
    Option,
    OptionText,
    OptionWord,
    Planet,
    PlanetAlias,
    PlanetName,
    Revision,
)
from tests.admin_forms import form_fields
from tests.debugger.reports import report
from tests.factories import log_entry
from texts.models import SentText
from voicemail.models import Voicemail

pytestmark = pytest.mark.django_db

# The role asked on PostgreSQL too.
POSTGRESQL_SAMPLE = "directory editor"

OK, FOUND, FORBIDDEN = HTTPStatus.OK, HTTPStatus.FOUND, HTTPStatus.FORBIDDEN
NOT_FOUND, NOT_ALLOWED = HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED

# What the model admins refuse whatever the login (the call log is written by calls only, a
# voicemail by a caller, a Debugger report by Twilio, and a planet's or prompt's rows are added
# on the planet's page).
NO_ADD = {Call, Utterance, Voicemail, SentText, Report} | {
    model
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, InlineRowAdmin)
}
NO_CHANGE = {Call, Utterance, SentText, Report}
NO_DELETE = {Call, SentText}
# Pages listed on the admin's index (a planet's rows are edited on the planet's page).
ON_INDEX = set(admin.site._registry) - {
    model
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, InlineRowAdmin)
}


@dataclass(frozen=True)
class Port:
    """A list's import and export: each one's permission, what the import writes (with delete:
    rows it replaces), what the export reads, and a file the import takes."""

    import_permission: str
    writes: list[tuple[type, list[str]]]
    export_permission: str
    reads: list[type]
    file: tuple[str, str]  # a CSV's header and one row


REPLACED = ["add", "change", "delete"]
PORTS = {
    Planet: Port(
        "directory.import_planet",
        [(Planet, ["add", "change"]), (PlanetName, REPLACED), (PlanetAlias, REPLACED)]
        + [(OpeningHours, REPLACED)],
        "directory.export_planet",
        [Planet, PlanetName, PlanetAlias, OpeningHours],
        (
            "name,key,phone_number,is_active,position,time_zone,holidays_country,"
            "opening hours,spoken name en-GB,also heard as en-GB",
            "Dagobah,3,+17262043675,1,20,UTC,,,the swamp planet,",
        ),
    ),
    Menu: Port(
        "directory.import_menu",
        [(Menu, ["add", "change"]), (MenuPrompt, REPLACED)],
        "directory.export_menu",
        [Menu, MenuPrompt],
        ("slug,name,is_default,prompt en-GB", "desk,Desk,0,The desk."),
    ),
    # An option's export names its menus and its planet: it reads those too.
    Option: Port(
        "directory.import_menu",
        [(Option, ["add", "change"]), (OptionText, REPLACED), (OptionWord, REPLACED)]
        + [(Announcement, REPLACED)],
        "directory.export_menu",
        [Option, OptionText, OptionWord, Announcement, Menu, Planet],
        (
            "menu,key,position,read_out,is_active,action,sentence en-GB,words en-GB,message en-GB",
            "main,0,5,1,1,announce,For the desk press {key}.,desk,We are closed.",
        ),
    ),
}
TOO_LARGE = "9" * 23
# The lookups that reach a caller's number, for logins that see it masked.
# With the number's permission: Django's own answer (it takes no lookup through a relation that
# no list filter names).
CALLER_LOOKUPS = {
    Call: ("from_number__startswith", OK),
    Utterance: ("call__from_number__startswith", HTTPStatus.BAD_REQUEST),
    SentText: ("to_number__startswith", OK),
    # What Twilio sent (with the numbers' and the words' permissions: Django's answer).
    Report: ("raw__Payload__webhook__request__parameters__From__startswith", OK),
}


def codename(model, action: str) -> str:
    return f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"


@dataclass
class Login:
    """A role: who is signed in, and what its permissions allow, as the admin promises it."""

    name: str
    user: User | None

    def may(self, model, action: str) -> bool:
        return self.user is not None and self.user.has_perm(codename(model, action))

    def may_view(self, model) -> bool:
        return self.may(model, "view") or self.may(model, "change")


@dataclass(frozen=True)
class Outcome:
    status: int
    # Whether anything is then different: a table, a recording at Twilio, an import's file.
    writes: bool = False
    location: str = ""
    # Whether the answer is a file to save (an export).
    attachment: bool = False


# What a permitted action answers, where it is not back to the list with a change.
ACTION_ANSWERS = {
    "export_csv": Outcome(OK, attachment=True),
    "mark_unhandled": Outcome(FOUND),  # the voicemail is not handled: nothing to change
}


def refused(login: Login, status=FORBIDDEN) -> Outcome:
    return to_login() if login.user is None else Outcome(status)


def to_login() -> Outcome:
    return Outcome(FOUND, location=reverse("admin:login"))


@dataclass
class Cell:
    """One request: its method, URL and form, and the rule for what a login gets."""

    label: str
    method: str
    url: str
    expect: Callable[[Login], Outcome]
    data: dict = field(default_factory=dict)
    # Made just before the request (a fresh upload, a fresh preview).
    make_data: Callable[[], dict] | None = None
    staff_only: bool = True  # anonymous logins go to the login page


# The world the cells act on: the demo, a call with what its caller said, a Debugger report, a
# voicemail with its recording at the fake Twilio, a planet with every kind of row, a group and
# a user.


@pytest.fixture
def world(demo, fake_twilio, django_settings):
    now = timezone.now()
    entries_write(
        [
            log_entry(
                "call_start",
                "CA-matrix",
                now,
                from_number="+19295550123",
                to_number="+18005550100",
                language="en-GB",
            )
        ]
    )
    Utterance.objects.create(
        call_id="CA-matrix", sequence=1, language="en-GB", heard="swampy", confidence=0.9, score=0
    )
    SentText.objects.create(
        call_id="CA-matrix", menu="main", key="1", to_number="+19295550123", body="Hello."
    )
    report_receive(report())  # Twilio's Debugger: a report holding the caller's number
    recording_sid = fake_twilio.add_recording()
    voicemail = Voicemail.objects.create(
        recording_sid=recording_sid,
        call_sid="CA-matrix",
        planet=Planet.objects.get(name="Dagobah"),
        language="en-GB",
        duration=12,
        received_at=now,
    )
    english = Language.objects.get(code="en-GB")
    planet = Planet.objects.create(name="Matrix", key="88", phone_number="+14155550188")
    PlanetName.objects.create(planet=planet, language=english, spoken_name="the matrix")
    PlanetAlias.objects.create(planet=planet, language=english, phrase="grid")
    OpeningHours.objects.create(planet=planet, weekday=0, opens="09:00", closes="17:00")
    Closure.objects.create(
        planet=planet, first_day=now.date(), last_day=now.date() + timedelta(days=1)
    )
    CalledNumber.objects.create(number="+81335550100", language=english)
    # Where calls start is never deleted: the menu rules are tried on another.
    Menu.objects.create(name="Matrix menu", slug="matrix")
    OptionText.objects.create(
        option=Option.objects.get(menu__slug="main", key="1"),
        language=english,
        text="For directions, press {key}.",
    )
    group = Group.objects.create(name="Receptionists")
    victim = User.objects.create_user(username="victim", is_staff=True)
    targets = {
        User: victim,
        Group: group,
        Language: Language.objects.get(is_default=False, code="ja-JP"),
        Voicemail: voicemail,
    }
    for model in admin.site._registry:
        targets.setdefault(model, model._default_manager.order_by("-pk").first())
    assert not [model for model, row in targets.items() if row is None]
    return {"targets": targets, "fake_twilio": fake_twilio, "recording_sid": recording_sid}


def roles() -> dict[str, tuple[str, ...] | None]:
    """Each role's permissions: None for anonymous, "app.*" for all of an app's."""
    found = {"anonymous": None, "staff without permissions": ()}
    for model in admin.site._registry:
        for action in ("view", "change"):
            found[f"{action} {model._meta.label_lower}"] = (codename(model, action),)
    log = ("calllog.view_call", "calllog.view_utterance", "voicemail.view_voicemail")
    return found | {
        "directory editor": ("directory.*",),
        "call-log viewer": log,
        "call-log viewer with caller numbers": (*log, "calllog.view_caller_number"),
        "voicemail listener": ("voicemail.view_voicemail", "voicemail.listen_voicemail"),
        "superuser": ("superuser",),
    }


def sign_in(client: Client, name: str) -> Login:
    permissions = roles()[name]
    if permissions is None:
        return Login(name, None)
    if permissions == ("superuser",):
        user = User.objects.create_superuser(username="role", password="x")
    else:
        user = User.objects.create_user(username="role", password="x", is_staff=True)
        for permission in permissions:
            app_label, code = permission.split(".")
            granted = Permission.objects.filter(content_type__app_label=app_label)
            user.user_permissions.add(*(granted if code == "*" else granted.filter(codename=code)))
        user = User.objects.get(pk=user.pk)  # a fresh permission cache
    client.force_login(user)
    return Login(name, user)


# The rules, page by page.


def view_page(model, answer=OK) -> Callable[[Login], Outcome]:
    return lambda login: Outcome(answer) if login.may_view(model) else refused(login)


def flatten(nested) -> list:
    rows = []
    for item in nested:
        rows.extend(flatten(item) if isinstance(item, list) else [item])
    return rows


def deletes(obj) -> set:
    collector = NestedObjects(using="default")
    collector.collect([obj])
    return {type(row) for row in flatten(collector.nested())} & set(admin.site._registry)


def may_delete(login: Login, model, obj) -> bool:
    if model in NO_DELETE or (model is Language and obj.is_default):
        return False
    return all(login.may(each, "delete") for each in deletes(obj) | {model})


def may_import(model, login: Login) -> bool:
    port = PORTS[model]  # a list with an import and no policy here: the test fails
    return (
        login.user is not None
        and login.user.has_perm(port.import_permission)
        and all(login.may(each, action) for each, actions in port.writes for action in actions)
    )


def may_export(model, login: Login) -> bool:
    port = PORTS[model]
    return (
        login.user is not None
        and login.user.has_perm(port.export_permission)
        and all(login.may_view(each) for each in port.reads)
    )


def gated(allowed: Callable[[Login], bool], outcome: Outcome) -> Callable[[Login], Outcome]:
    return lambda login: outcome if allowed(login) else refused(login)


@functools.cache
def superuser_page(url: str) -> str:
    """A page as a superuser sees it (the forms the cells post are filled from it). Kept for
    the next role: each test builds the same world, with the same ids."""
    client = Client()
    client.force_login(User.objects.get(username="reference"))
    response = client.get(url)
    assert response.status_code == OK, url
    return response.content.decode()


def model_cells(model, model_admin, obj, world, superuser) -> list[Cell]:
    """The cells for every URL pattern of one model admin."""
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    cells = []
    for pattern in model_admin.urls:
        kind = (pattern.name or "redirect").removeprefix(f"{info}_")
        label = f"{model._meta.label_lower} {kind}"
        if kind == "changelist":
            cells += changelist_cells(model, model_admin, obj, label, superuser)
        elif kind == "add":
            url = reverse(f"admin:{info}_add")
            allowed = lambda login, m=model: model not in NO_ADD and login.may(m, "add")  # noqa: E731
            cells.append(Cell(label, "GET", url, gated(allowed, Outcome(OK))))
            # An empty form: the permitted get their form back with its errors.
            cells.append(Cell(label, "POST", url, gated(allowed, Outcome(OK))))
        elif kind == "change":
            url = reverse(f"admin:{info}_change", args=[obj.pk])
            cells.append(Cell(label, "GET", url, view_page(model)))
            data = form_fields(superuser(url)) | {"_save": "Save"}
            allowed = lambda login, m=model: m not in NO_CHANGE and login.may(m, "change")  # noqa: E731
            cells.append(Cell(label, "POST", url, gated(allowed, Outcome(FOUND, True)), data))
        elif kind == "delete":
            url = reverse(f"admin:{info}_delete", args=[obj.pk])
            allowed = lambda login, m=model: may_delete(login, m, obj)  # noqa: E731
            cells.append(Cell(label, "GET", url, gated(allowed, Outcome(OK))))
            data = {"post": "yes"}
            cells.append(Cell(label, "POST", url, gated(allowed, Outcome(FOUND, True)), data))
        elif kind == "history":
            url = reverse(f"admin:{info}_history", args=[obj.pk])
            cells += [Cell(label, method, url, view_page(model)) for method in ("GET", "POST")]
        elif kind == "simple_history":
            version = obj.history.order_by("history_id").first()
            url = reverse(f"admin:{info}_simple_history", args=[obj.pk, version.history_id])
            cells.append(Cell(f"{label} (revert form)", "GET", url, view_page(model)))
            data = form_fields(superuser(url)) | {"_save": "Revert"}
            allowed = lambda login, m=model: login.may(m, "change")  # noqa: E731
            outcome = Outcome(FOUND, True)
            cells.append(Cell(f"{label} (revert)", "POST", url, gated(allowed, outcome), data))
        elif kind == "import":
            url = reverse(f"admin:{info}_import")
            imports = functools.partial(may_import, model)
            cells.append(Cell(label, "GET", url, gated(imports, Outcome(OK))))
            # The preview keeps the file until its confirmation.
            outcome = Outcome(OK, True)
            make = functools.partial(upload, model)
            cells.append(Cell(label, "POST", url, gated(imports, outcome), make_data=make))
        elif kind == "process_import":
            url = reverse(f"admin:{info}_process_import")
            imports = functools.partial(may_import, model)
            cells.append(Cell(label, "GET", url, lambda login: refused(login, NOT_ALLOWED)))
            outcome = Outcome(FOUND, True)
            make = functools.partial(fresh_preview, model)
            cells.append(Cell(label, "POST", url, gated(imports, outcome), make_data=make))
        elif kind == "export":
            url = reverse(f"admin:{info}_export")
            exports = functools.partial(may_export, model)
            cells.append(Cell(label, "GET", url, gated(exports, Outcome(OK))))
            data = {"format": "0", "resource": "0"}
            data |= {f"{resource}_{name}": "on" for resource, name in export_fields(model_admin)}
            outcome = Outcome(OK, attachment=True)
            cells.append(Cell(label, "POST", url, gated(exports, outcome), data))
        elif kind == "redirect":
            url = reverse(f"admin:{info}_changelist") + f"{obj.pk}/"
            change = reverse(f"admin:{info}_change", args=[obj.pk])
            found = Outcome(FOUND, location=change)
            cells.append(Cell(label, "GET", url, lambda login, o=found: o))
        elif kind == "password_change":
            url = reverse(f"admin:{info}_password_change", args=[obj.pk])
            allowed = lambda login, m=model: login.may(m, "change")  # noqa: E731
            cells += [Cell(label, m, url, gated(allowed, Outcome(OK))) for m in ("GET", "POST")]
        else:
            cells += custom_cells(model, model_admin, obj, pattern, kind, label, world)
    return cells


def export_fields(model_admin) -> list[tuple[str, str]]:
    """Every field of every resource of the export's form, as its check box names it."""
    return [
        (resource.__name__.lower(), name)
        for resource in model_admin.get_export_resource_classes(None)
        for name in resource().fields
    ]


def changelist_cells(model, model_admin, obj, label, superuser) -> list[Cell]:
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    url = reverse(f"admin:{info}_changelist")
    cells = [Cell(label, "GET", url, view_page(model))]
    actions = [(name, func) for func, name, _ in model_admin._get_base_actions()]

    def permitted(login, func) -> bool:
        return all(login.may(model, action) for action in getattr(func, "allowed_permissions", ()))

    def may_act(login, name, func) -> bool:
        if name == "delete_selected":
            return may_delete(login, model, obj)
        return permitted(login, func)

    for name, func in actions:

        def expect(login, name=name, func=func):
            if not login.may_view(model):
                return refused(login)
            if may_act(login, name, func):
                return ACTION_ANSWERS.get(name, Outcome(FOUND, True))
            # Django's answer to an action the login does not have: back to the list when it
            # has others, the list itself when it has none.
            others = any(may_act(login, n, f) for n, f in actions)
            return Outcome(FOUND if others else OK)

        data = {"action": name, "_selected_action": [str(obj.pk)], "index": "0", "post": "yes"}
        cells.append(Cell(f"{label} action {name}", "POST", url, expect, data))
    for name in model_admin.list_filter:
        field = model._meta.get_field(name) if isinstance(name, str) and "__" not in name else None
        if field is not None and field.is_relation:
            # A number no id column holds: a clear refusal, never a server error.
            query = f"{url}?{name}={TOO_LARGE}"
            refuses = view_page(model, answer=HTTPStatus.BAD_REQUEST)
            cells.append(Cell(f"{label} filtered by a huge {name}", "GET", query, refuses))
    if model in CALLER_LOOKUPS:
        # Filtering by what the page masks would read it back, one digit at a time.
        lookup, seen = CALLER_LOOKUPS[model]
        query = f"{url}?{lookup}=%2B1929"

        def expect(login):
            if not login.may_view(model):
                return refused(login)
            sees = login.user.has_perm("calllog.view_caller_number")
            return Outcome(seen if sees else HTTPStatus.BAD_REQUEST)

        cells.append(Cell(f"{label} filtered by caller number", "GET", query, expect))
    if model_admin.list_editable:
        data = form_fields(superuser(url), form_id_ending="changelist-form")
        data = {key: value for key, value in data.items() if key != "action"}
        # The first row's first number (its order), one more.
        editable = [key for key in data if key.startswith("form-0-") and key != "form-0-id"]
        edited = next(key for key in editable if data[key].isdigit())
        data[edited] = str(int(data[edited]) + 1)

        def expect(login):
            if not login.may_view(model):
                return refused(login)
            return Outcome(FOUND, True) if login.may(model, "change") else refused(login)

        cells.append(
            Cell(f"{label} (edited in the list)", "POST", url, expect, data | {"_save": "Save"})
        )
    return cells


def custom_cells(model, model_admin, obj, pattern, kind, label, world) -> list[Cell]:
    """The pages a model admin adds of its own."""
    name = f"admin:{pattern.name}"
    needs_object = "object_id" in str(pattern.pattern) or "<" in str(pattern.pattern)
    url = reverse(name, args=[obj.pk] if needs_object else [])
    policy = POLICY.get(pattern.name)
    if policy is None:  # a page added later: like every page of its model, view to see it
        return [Cell(label, method, url, view_page(model)) for method in ("GET", "POST")]
    return policy(url, label, world)


def dashboard(url, label, world):
    return [Cell(label, m, url, view_page(Call)) for m in ("GET", "POST")]


def unmatched(url, label, world):
    planet = world["targets"][Planet]

    def adds(login):
        if not login.may_view(Utterance):
            return refused(login)
        if login.may(PlanetAlias, "add"):
            return Outcome(FOUND, True)
        if login.may(admin_model("directory.optionword"), "add") and login.may_view(
            admin_model("directory.option")
        ):
            return Outcome(FOUND)  # an option's words may be added, not a planet's
        return refused(login)

    data = {"language": "en-GB", "phrase": "swampy", "target": f"planet:{planet.pk}"}
    return [Cell(label, "GET", url, view_page(Utterance)), Cell(label, "POST", url, adds, data)]


def audio(url, label, world):
    def may_listen(login):
        return login.user.has_perm("voicemail.listen_voicemail") and login.may_view(Voicemail)

    listens = gated(may_listen, Outcome(OK))
    return [Cell(label, m, url, listens) for m in ("GET", "POST")]


def picture(url, label, world):
    """The tree's picture shows menus and every option (with its words): both lists' view."""
    option = admin_model("directory.option")
    sees = gated(lambda login: login.may_view(Menu) and login.may_view(option), Outcome(OK))
    return [Cell(label, m, url, sees) for m in ("GET", "POST")]


POLICY = {
    "calllog_dashboard": dashboard,
    "directory_menu_picture": picture,
    "calllog_utterance_unmatched": unmatched,
    "voicemail_voicemail_audio": audio,
}


def admin_model(label: str):
    return next(model for model in admin.site._registry if model._meta.label_lower == label)


def upload(model) -> dict:
    """A file for the model's import: one row, which the preview finds right."""
    header, row = PORTS[model].file
    return {
        "import_file": SimpleUploadedFile("import.csv", f"{header}\n{row}\n".encode(), "text/csv"),
        "format": "0",
        "resource": "0",
    }


def fresh_preview(model) -> dict:
    """A confirmation form from a superuser's preview: only its file name is a secret."""
    client = Client()
    client.force_login(User.objects.get(username="reference"))
    response = client.post(reverse(f"admin:{admin_info(model)}_import"), upload(model))
    assert response.context["result"].has_validation_errors() is False
    return dict(response.context["confirm_form"].initial)


def admin_info(model) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}"


def site_cells() -> list[Cell]:
    """The admin site's own pages, and the staff pages outside the admin."""
    staff = lambda login: refused(login) if login.user is None else Outcome(OK)  # noqa: E731
    cells = [
        Cell("index", "GET", reverse("admin:index"), staff),
        Cell("password change", "GET", reverse("admin:password_change"), staff),
        Cell("password change", "POST", reverse("admin:password_change"), staff),
        Cell("password changed", "GET", reverse("admin:password_change_done"), staff),
        Cell("jsi18n", "GET", reverse("admin:jsi18n"), staff),
        # No field of ours completes: no login gets rows from it.
        Cell("autocomplete", "GET", reverse("admin:autocomplete"), lambda login: refused(login)),
    ]
    planet_type = ContentType.objects.get_for_model(Planet)
    on_site = reverse("admin:view_on_site", args=[planet_type.pk, 1])
    cells.append(Cell("view on site", "GET", on_site, lambda login: refused(login, NOT_FOUND)))
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        url = reverse("admin:app_list", args=[app_label])

        def app(login, app_label=app_label):
            shown = [m for m in ON_INDEX if m._meta.app_label == app_label]
            actions = ("view", "add", "change", "delete")
            if any(login.may(m, a) for m in shown for a in actions):
                return Outcome(OK)
            return refused(login, NOT_FOUND)

        cells.append(Cell(f"app {app_label}", "GET", url, app))
    phone = reverse("simulator:phone")
    # Not sent to the admin's sign-in: that would give its path away.
    simulator = lambda login: Outcome(FORBIDDEN if login.user is None else OK)  # noqa: E731
    cells.append(Cell("simulator", "GET", phone, simulator, staff_only=False))
    step = reverse("simulator:step")
    body = json.dumps({"action": "start"})
    cells.append(
        Cell(
            "simulator step",
            "POST",
            step,
            lambda login: Outcome(FORBIDDEN if login.user is None else OK),
            {"body": body},
            staff_only=False,
        )
    )
    cells.append(
        Cell("simulator step", "GET", step, lambda login: Outcome(NOT_ALLOWED), staff_only=False)
    )
    return cells


def digest() -> dict[str, str]:
    """Every table's rows, hashed (the session's left out: signing in is not a write)."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "django_session":
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            rows = sorted(map(repr, cursor.fetchall()))
            tables[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return tables


def outside(world) -> dict[str, str]:
    """What a request may change outside the database: the recordings at the fake Twilio and
    the import's waiting files."""
    folder = ImportFiles.FOLDER
    files = default_storage.listdir(folder)[1] if default_storage.exists(folder) else []
    return {
        "Twilio's recordings": repr(sorted(world["fake_twilio"].recordings)),
        "the import's files": repr(sorted(files)),
    }


def clear_import_files() -> None:
    if default_storage.exists(ImportFiles.FOLDER):
        for name in default_storage.listdir(ImportFiles.FOLDER)[1]:
            default_storage.delete(f"{ImportFiles.FOLDER}/{name}")


def total_changes() -> int | None:
    """SQLite's count of rows changed on this connection; None elsewhere (every cell digests)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0]


def writable(login: Login) -> set[str]:
    """The tables a login may change: those of the models it may add to, change or delete
    from (with their histories and many-to-many tables), and the admin's log."""
    tables = {"django_admin_log"}
    if any(may_import(model, login) for model in PORTS):
        tables.add("the import's files")
    if login.may(Voicemail, "delete"):
        tables.add("Twilio's recordings")  # deleting a voicemail deletes its recording
    if login.user is not None and login.user.is_superuser:
        return tables | set(connection.introspection.table_names())
    for model in admin.site._registry:
        if any(login.may(model, action) for action in ("add", "change", "delete")):
            tables.add(model._meta.db_table)
            if hasattr(model, "history"):
                tables.add(model.history.model._meta.db_table)
            tables |= {m2m.remote_field.through._meta.db_table for m2m in model._meta.many_to_many}
            if model._meta.app_label == "directory":
                tables.add(Revision._meta.db_table)  # what every change to the directory bumps
    return tables


def ask(client: Client, cell: Cell, data: dict):
    if cell.method == "GET":
        return client.get(cell.url)
    if "body" in data:
        return client.post(cell.url, data["body"], content_type="application/json")
    return client.post(cell.url, data)


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(
            role,
            marks=[]
            if role == POSTGRESQL_SAMPLE
            else pytest.mark.sqlite_run_only(
                reason=f"the same permission checks as the {POSTGRESQL_SAMPLE}'s, on PostgreSQL"
            ),
        )
        for role in roles()
    ],
)
def test_each_login_gets_exactly_what_its_permissions_allow(role, world):
    User.objects.create_superuser(username="reference", password="x")
    cells = site_cells()
    for model, model_admin in admin.site._registry.items():
        cells += model_cells(model, model_admin, world["targets"][model], world, superuser_page)
    fake = world["fake_twilio"]
    client = Client()
    login = sign_in(client, role)
    clear_import_files()  # other tests' previews
    baseline = digest() | outside(world)
    allowed_tables = writable(login)
    wrong = []
    for cell in cells:
        expected = to_login() if login.user is None and cell.staff_only else cell.expect(login)
        fake.recordings.setdefault(world["recording_sid"], b"ID3 fake mp3 audio")
        with transaction.atomic():
            data = cell.data
            before = baseline
            if cell.make_data:
                data = cell.make_data()
                before = digest() | outside(world)
            changes = total_changes()
            response = ask(client, cell, data)
            after = outside(world)
            if changes is None or total_changes() != changes:
                after |= digest()
            changed = {name for name in after if after[name] != before.get(name)}
            transaction.set_rollback(True)
        clear_import_files()  # undone, as the database is
        got = Outcome(
            response.status_code,
            bool(changed),
            response.get("Location", "").split("?")[0] if expected.location else "",
            response.get("Content-Disposition", "").startswith("attachment;"),
        )
        if got != expected:
            wrong.append(f"{cell.method} {cell.url} ({cell.label}): {got}, expected {expected}")
        elif changed - allowed_tables:
            wrong.append(
                f"{cell.method} {cell.url} ({cell.label}) wrote {changed - allowed_tables}"
            )
    assert not wrong, f"{role}: {len(wrong)} of {len(cells)}:\n" + "\n".join(wrong)
