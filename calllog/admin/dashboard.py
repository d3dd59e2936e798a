"""The call dashboard: the day's counts as charts and per-menu tables, with Twilio's errors."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat
from django.utils.translation import gettext, pgettext

from debugger.models import Level, Report
from debugger.selectors import recent_get
from directory.fields import E164
from directory.models import CalledNumber, Language

from ..charts import bar_chart
from ..models import Step
from ..selectors import (
    dashboard_get,
    menu_report,
)

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


class DashboardMixin:
    """The call log's dashboard, a page of the calls' admin: calls per day, choices, planets,
    what callers did at each menu, and Twilio's errors."""

    def get_urls(self):
        dashboard = self.admin_site.admin_view(self.dashboard_view)
        return [path("dashboard/", dashboard, name="calllog_dashboard"), *super().get_urls()]

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        filters = _filters(request)
        figures = dashboard_get(language=filters["language"], to_number=filters["number"])
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Call dashboard"),
            "opts": self.model._meta,
            "figures": figures,
            **filters,
            "miss_labels": [label for _, label in MISSES],
            "menus": [
                (report, [(label, report.figures.answered[o]) for o, label in MISSES])
                for report in menu_report(figures.menus)
            ],
            **_charts(figures),
            **self._twilio_errors(request),
        }
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


def _filters(request) -> dict:
    """The language and the number the figures are for (any E.164 number may be typed; the
    numbers staff listed are offered), and the choices."""
    languages = list(Language.objects.values_list("code", "name"))
    language = request.GET.get("language", "")
    number = request.GET.get("number", "").strip()
    return {
        "languages": languages,
        "language": language if language in dict(languages) else "",
        "numbers": list(CalledNumber.objects.values_list("number", flat=True)),
        "number": number if E164.fullmatch(number) else "",
    }


def _charts(figures) -> dict:
    """Calls per day, the main menu's choices and the planets dialed, as bar charts."""
    choice_labels = {
        "directions": gettext("Directions"),
        "planets": gettext("Planet directory"),
        "no_choice": gettext("No choice"),
    }
    # Translators: a day under a bar of the dashboard's chart, in Django's date format.
    day_format = pgettext("dashboard day", "M d")
    return {
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
