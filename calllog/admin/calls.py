"""The calls' admin: the list with its filters, a call's page with its path and timeline."""

import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.models import Menu, Planet
from directory.querystrings import InRange
from directory.spreadsheets import inert

from ..models import Call, Step, Utterance
from ..selectors import (
    OUTCOMES,
    calls_to_planet,
    calls_with_outcome,
    directory_heard,
    first_menu_heard,
)
from .dashboard import DashboardMixin
from .numbers import CALLER_PERMISSION, CallerNumberGuard, caller_number
from .timeline import describe, status_label


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
class CallAdmin(DashboardMixin, InRange, CallerNumberGuard, admin.ModelAdmin):
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
            "directory_as_heard",
            "menu_path",
            "timeline",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("first menu as heard"))
    def first_menu_as_heard(self, call):
        return self._heard(first_menu_heard(call), "first-menu-heard")

    @admin.display(description=_("planet directory as heard"))
    def directory_as_heard(self, call):
        return self._heard(directory_heard(call), "directory-heard")

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
