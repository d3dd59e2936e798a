"""What callers said that matched nothing, and the form that makes it a planet's alias."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.models import Language, Option, Planet, PlanetAlias
from directory.querystrings import InRange
from directory.services import alias_add

from ..models import Utterance
from ..selectors import (
    unmatched_phrases,
)
from .numbers import CallerNumberGuard


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
