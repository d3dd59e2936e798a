import csv
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from debugger.models import Level, Report
from debugger.selectors import recent_get
from directory.models import CalledNumber, Language, Menu, Option, Planet, PlanetAlias
from directory.querystrings import InRange, fields_on
from directory.services import alias_add
from directory.spreadsheets import inert

from .charts import bar_chart
from .models import Call, Step, Utterance
from .selectors import (
    OUTCOMES,
    calls_to_planet,
    calls_with_outcome,
    dashboard_get,
    first_menu_heard,
    menu_report,
    planet_menu_heard,
    unmatched_phrases,
)

CALLER_PERMISSION = "calllog.view_caller_number"
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
# The dashboard's figures per menu besides the options chosen, in its columns' order.
MISSES = [
    (outcome, Step.Outcome(outcome).label)
    for outcome in (
        Step.Outcome.NO_INPUT,
        Step.Outcome.WRONG_KEY,
        Step.Outcome.NOT_UNDERSTOOD,
        Step.Outcome.PLANET,
        Step.Outcome.OUT_OF_ATTEMPTS,
    )
]
CALLER_FIELD = Call._meta.get_field("from_number")


def masked(number: str) -> str:
    """All but the last four digits hidden: enough to tell calls apart, not to call back."""
    return f"•••{number[-4:]}" if len(number) > 4 else "•" * len(number)


def caller_number(call: Call, *, can_see: bool) -> str:
    return call.from_number if can_see else masked(call.from_number)


class CallerNumberGuard:
    """For a login that may not see caller numbers, no query string reads them: Django's
    changelist takes any lookup on the model's own fields (from_number__startswith=+1415...),
    so a masked number could be read back a digit at a time. Search and sorting leave them out
    too (see get_search_fields); the list has no filter or date hierarchy on them."""

    def lookup_allowed(self, lookup, value, request=None):
        if CALLER_FIELD in fields_on(self.model, lookup) and not (
            request and request.user.has_perm(CALLER_PERMISSION)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)


class OutcomeFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return list(OUTCOMES.items())

    def queryset(self, request, queryset):
        return calls_with_outcome(queryset, self.value()) if self.value() else queryset


class PlanetFilter(admin.SimpleListFilter):
    title = _("planet dialed")
    parameter_name = "planet"

    def lookups(self, request, model_admin):
        return list(Planet.objects.values_list("pk", "name"))

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        return calls_to_planet(queryset, int(self.value()))


class UtteranceInline(admin.TabularInline):
    """What the caller said, on the call's page; shown only to staff who may view utterances
    (Django checks the inline's own view permission)."""

    model = Utterance
    fields = ["sequence", "language", "heard", "confidence", "target", "score"]
    readonly_fields = fields
    ordering = ["sequence"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Call)
class CallAdmin(InRange, CallerNumberGuard, admin.ModelAdmin):
    list_filter = [
        ("started_at", admin.DateFieldListFilter),
        OutcomeFilter,
        PlanetFilter,
        "status",
        "language",
    ]
    search_fields = ["call_sid", "from_number", "to_number"]
    ordering = ["-started_at", "-id"]
    show_full_result_count = False
    list_per_page = 50
    actions = ["export_csv"]
    inlines = [UtteranceInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _caller(self, request):
        """The caller column: the number for staff allowed to see it, else its last 4 digits."""
        can_see = request.user.has_perm(CALLER_PERMISSION)

        @admin.display(description=_("caller"))
        def caller(call):
            return caller_number(call, can_see=can_see)

        return caller

    def get_search_fields(self, request):
        # Searching for a full caller number would confirm a guess the mask hides.
        if request.user.has_perm(CALLER_PERMISSION):
            return self.search_fields
        return ["call_sid", "to_number"]

    def get_list_display(self, request):
        return [
            "started_at",
            "call_sid",
            self._caller(request),
            "to_number",
            "language",
            "status",
            "duration",
        ]

    def get_fields(self, request, obj=None):
        return [
            "call_sid",
            self._caller(request),
            "to_number",
            "language",
            "started_at",
            "ended_at",
            "status",
            "duration",
            "directory_revision",
            "first_menu_as_heard",
            "planet_menu",
            "menu_path",
            "timeline",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("first menu as heard"))
    def first_menu_as_heard(self, call):
        return self._heard(first_menu_heard(call), "first-menu-heard")

    @admin.display(description=_("planet menu as heard"))
    def planet_menu(self, call):
        return self._heard(planet_menu_heard(call), "planet-menu-heard")

    def _heard(self, sentences, css_class: str):
        if sentences is None:
            return gettext("Not known: this call is older than the directory's history.")
        return format_html(
            '<ol class="{}">{}</ol>',
            css_class,
            format_html_join(
                "", '<li lang="{}">{}</li>', ((s.language, s.text) for s in sentences)
            ),
        )

    @admin.display(description=_("path through the menus"))
    def menu_path(self, call):
        menus = dict(Menu.objects.values_list("slug", "name"))
        answers = call.steps.exclude(outcome="").order_by("sequence")
        rows = []
        for step in answers:
            if step.outcome == Step.Outcome.CHOSE:
                what = gettext("chose %(key)s") % {"key": step.option}
            else:
                what = step.get_outcome_display()
            rows.append((menus.get(step.menu, step.menu), what))
        if call.last_menu:
            left = gettext("hung up there") if call.ended_at else gettext("there when last logged")
            rows.append((menus.get(call.last_menu, call.last_menu), left))
        if not rows:
            return gettext("No answer at a menu was logged.")
        return format_html(
            '<ol class="menu-path">{}</ol>',
            format_html_join("", "<li><b>{}</b>: {}</li>", rows),
        )

    @admin.display(description=_("steps"))
    def timeline(self, call):
        steps = call.steps.select_related("planet").order_by("sequence")
        menus = dict(Menu.objects.values_list("slug", "name"))
        first = menus.get(call.first_menu, call.first_menu)
        called_in = (
            gettext("Called in: %(menu)s") % {"menu": first}
            if first
            else gettext("Called in: main menu")
        )
        rows = [(call.started_at.strftime("%H:%M:%S"), called_in)]
        rows += [(step.created_at.strftime("%H:%M:%S"), describe(step, menus)) for step in steps]
        if call.ended_at:
            ended = gettext("Call ended: %(status)s") % {"status": status_label(call.status)}
            rows.append((call.ended_at.strftime("%H:%M:%S"), ended))
        return format_html(
            '<ol class="call-timeline">{}</ol>',
            format_html_join("", "<li><time>{}</time> {}</li>", rows),
        )

    @admin.action(description=_("Export selected calls as CSV"))
    def export_csv(self, request, queryset):
        can_see = request.user.has_perm(CALLER_PERMISSION)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="calls.csv"'
        writer = csv.writer(response)
        writer.writerow(["call_sid", "caller", "called", "started", "ended", "status", "duration"])
        for call in queryset.order_by("-started_at", "-id").iterator():
            # Every value came from a caller or from Twilio: none may be a formula.
            row = [
                call.call_sid,
                caller_number(call, can_see=can_see),
                call.to_number,
                call.started_at.isoformat(),
                call.ended_at.isoformat() if call.ended_at else "",
                call.status,
                "" if call.duration is None else call.duration,
            ]
            writer.writerow([inert(value) for value in row])
        return response

    def get_urls(self):
        dashboard = self.admin_site.admin_view(self.dashboard_view)
        return [path("dashboard/", dashboard, name="calllog_dashboard"), *super().get_urls()]

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        languages = list(Language.objects.values_list("code", "name"))
        language = request.GET.get("language", "")
        if language not in dict(languages):
            language = ""
        # Our numbers staff listed (others, e.g. the one the default language answers, typed).
        numbers = list(CalledNumber.objects.values_list("number", flat=True))
        number = request.GET.get("number", "").strip()
        if not E164.fullmatch(number):
            number = ""
        figures = dashboard_get(language=language, to_number=number)
        choice_labels = {
            "directions": gettext("Directions"),
            "planets": gettext("Planet menu"),
            "no_choice": gettext("No choice"),
        }
        # Translators: a day under a bar of the dashboard's chart, in Django's date format.
        day_format = pgettext("dashboard day", "M d")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Call dashboard"),
            "opts": self.model._meta,
            "figures": figures,
            "languages": languages,
            "language": language,
            "numbers": numbers,
            "number": number,
            "miss_labels": [label for _, label in MISSES],
            "menus": [
                (report, [(label, report.figures.answered[o]) for o, label in MISSES])
                for report in menu_report(figures.menus)
            ],
            "per_day": bar_chart(
                [(dateformat.format(day, day_format), calls) for day, calls in figures.days],
                height=180,
            ),
            "choices": bar_chart(
                [(choice_labels[key], n) for key, n in figures.choices.items()],
                width=360,
                height=160,
            ),
            "planets": bar_chart(
                [(planet.name, planet.dialed) for planet in figures.planets],
                width=360,
                height=160,
                captions=[
                    gettext("no answer yet")
                    if planet.answer_rate is None
                    else gettext("%(rate)s answered") % {"rate": f"{planet.answer_rate:.0%}"}
                    for planet in figures.planets
                ],
            ),
        }
        context |= self._twilio_errors(request)
        return TemplateResponse(request, "admin/calllog/dashboard.html", context)

    def _twilio_errors(self, request) -> dict:
        """The errors Twilio's Debugger reported in the last day, for staff who may see them."""
        reports = self.admin_site.get_model_admin(Report)
        if not reports.has_view_permission(request):
            return {}
        url = reverse("admin:debugger_report_changelist")
        return {
            "twilio_errors": recent_get().errors,
            "twilio_errors_url": f"{url}?{urlencode({'level__exact': Level.ERROR})}",
        }


class MatchedFilter(admin.SimpleListFilter):
    title = _("understood")
    parameter_name = "matched"

    def lookups(self, request, model_admin):
        return [("no", _("Matched nothing")), ("yes", _("Matched"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(target="")
        if self.value() == "yes":
            return queryset.exclude(target="")
        return queryset


# The periods the unmatched phrases can be counted over, in days.
PERIODS = {1: _("the last day"), 7: _("the last 7 days"), 30: _("the last 30 days")}
PERIODS[90] = _("the last 90 days")


class AliasForm(forms.Form):
    """Add what callers said as words for a planet or a main-menu choice, in their language."""

    language = forms.CharField(widget=forms.HiddenInput, max_length=35)
    # One of the listed phrases, chosen by the radio button on its row.
    phrase = forms.CharField(max_length=200)
    target = forms.ChoiceField(label=_("understand it as"))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets


@admin.register(Utterance)
class UtteranceAdmin(InRange, CallerNumberGuard, admin.ModelAdmin):
    # call_id: the CallSid as logged (its call's row may not be written yet).
    list_display = ["created_at", "call_id", "sequence", "language", "heard", "target", "score"]
    list_filter = [("created_at", admin.DateFieldListFilter), MatchedFilter, "language"]
    search_fields = ["heard"]
    ordering = ["-created_at"]
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        unmatched = self.admin_site.admin_view(self.unmatched_view)
        return [
            path("unmatched/", unmatched, name="calllog_utterance_unmatched"),
            *super().get_urls(),
        ]

    def _targets(self, request) -> list:
        """What staff may add a phrase to: menus' options and active planets, by permission."""
        targets = []
        user = request.user
        # The options are named by their menu: for logins that may see options.
        sees_options = user.has_perm("directory.view_option") or user.has_perm(
            "directory.change_option"
        )
        if user.has_perm("directory.add_optionword") and sees_options:
            options = Option.objects.filter(is_active=True).select_related("menu")
            choices = [(f"option:{option.pk}", str(option)) for option in options]
            targets.append((gettext("Menus"), choices))
        if request.user.has_perm("directory.add_planetalias"):
            planets = Planet.objects.filter(is_active=True).order_by("position", "key", "name")
            choices = [
                (f"planet:{pk}", f"{name} ({key})")
                for pk, name, key in planets.values_list("pk", "name", "key")
            ]
            targets.append((gettext("Planets"), choices))
        return targets

    def unmatched_view(self, request):
        """The most frequent phrases callers said that matched nothing, per language and
        period; each can be added, in one step, as words for a planet or a menu choice."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        languages = list(Language.objects.values_list("code", "name"))
        codes = dict(languages)
        targets = self._targets(request)
        if request.method == "POST":
            return self._add_alias(request, codes, targets)
        default = next(iter(codes), "")
        language = request.GET.get("language", default)
        language = language if language in codes else default
        days = int(request.GET["days"]) if request.GET.get("days") in map(str, PERIODS) else 30
        phrases = unmatched_phrases(language=language, days=days) if language else []
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("What callers said that was not understood"),
            "opts": self.model._meta,
            "languages": languages,
            "language": language,
            "periods": PERIODS.items(),
            "days": days,
            "rows": phrases,
            # One form for the page: a directory of hundreds of planets is listed once.
            "form": AliasForm(initial={"language": language}, targets=targets),
            "can_add": bool(targets),
        }
        return TemplateResponse(request, "admin/calllog/utterance/unmatched.html", context)

    def _add_alias(self, request, codes, targets):
        form = AliasForm(request.POST, targets=targets)
        back = reverse("admin:calllog_utterance_unmatched")
        if not targets:
            raise PermissionDenied
        if not form.is_valid() or form.cleaned_data["language"] not in codes:
            self.message_user(request, gettext("Choose what the words stand for."), messages.ERROR)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        query = urlencode({"language": data["language"], "days": request.GET.get("days", "")})
        try:
            alias = alias_add(
                language=Language.objects.get(code=data["language"]),
                phrase=data["phrase"],
                target=data["target"],
            )
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(f"{back}?{query}")
        target = alias.planet.name if isinstance(alias, PlanetAlias) else str(alias.option)
        self.message_user(
            request,
            gettext("Callers who say “%(phrase)s” in %(language)s now reach %(target)s.")
            % {"phrase": alias.phrase, "language": data["language"], "target": target},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(f"{back}?{query}")


def status_label(status: str) -> str:
    """A Twilio call status as staff read it ("no answer"); unknown values as they came."""
    return Call.Status(status).label if status in Call.Status.values else status


def describe(step: Step, menus: dict[str, str] | None = None) -> str:
    """One line of the timeline, as staff would say it; menus: their names by short name."""
    menu = (menus or {}).get(step.menu, step.menu)
    if step.kind == Step.Kind.MAIN_MENU:
        if menu:
            return gettext("Back at %(menu)s") % {"menu": menu}
        return gettext("Back at the main menu")
    if step.kind == Step.Kind.VOICEMAIL:
        return gettext("Left a message")
    if step.digits:
        key = gettext("pressed %(digits)s") % {"digits": step.digits}
    elif step.option:
        key = gettext("said the words for %(key)s") % {"key": step.option}
    else:
        key = gettext("pressed nothing")
    if step.kind == Step.Kind.MENU_KEY:
        if menu:
            return gettext("%(menu)s: %(key)s") % {"menu": menu, "key": key}
        return gettext("Main menu: %(key)s") % {"key": key}
    if step.kind == Step.Kind.VOICEMAIL_OFFER:
        return gettext("Voicemail offer: %(key)s") % {"key": key}
    if step.kind == Step.Kind.PLANET_KEY:
        if step.planet:
            return gettext("Planet menu: %(key)s, dialing %(planet)s") % {
                "key": key,
                "planet": step.planet.name,
            }
        return gettext("Planet menu: %(key)s") % {"key": key}
    planet = step.planet.name if step.planet else gettext("the planet")
    status = status_label(step.dial_status) if step.dial_status else gettext("no status")
    if step.dial_duration:
        return gettext("Dial to %(planet)s: %(status)s after %(seconds)s s") % {
            "planet": planet,
            "status": status,
            "seconds": step.dial_duration,
        }
    return gettext("Dial to %(planet)s: %(status)s") % {"planet": planet, "status": status}
