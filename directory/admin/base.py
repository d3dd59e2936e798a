"""What the directory's admin pages share: history with revert, permissions, translations."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import (
    PermissionDenied,
    ValidationError,
)
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ..models import (
    Language,
)
from ..querystrings import InRange, in_range, models_on


def has_permission(user, model, action: str) -> bool:
    """Whether the user holds Django's permission for an action ("add", "view"...) on a model."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def may_view(user, model) -> bool:
    return has_permission(user, model, "view") or has_permission(user, model, "change")


def _id_or_404(field, value):
    """A row's id from a URL as its primary key takes it; any other text, or a number too
    large for the column, is not found (the history pages would otherwise fail with a server
    error)."""
    try:
        pk = field.to_python(value)
    except ValidationError as invalid:
        raise Http404 from invalid
    if not in_range(field, pk):
        raise Http404
    return pk


class HistoryAdmin(InRange, SimpleHistoryAdmin):
    """An admin with a history of every change (who, when, what), and a revert.

    Its history page also lists the changes to the rows edited inline on it (a planet's
    spoken names, a prompt's texts), each with a link to revert that row.
    """

    object_history_template = "admin/directory/history.html"
    object_history_list_template = "admin/directory/history_list.html"
    object_history_form_template = "admin/directory/history_form.html"
    # The inline rows' models, each with the name of its field pointing at this admin's row.
    history_inlines: list[tuple[type, str]] = []
    # The most changes of each inline model the page lists.
    history_inlines_shown = 100

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history only hides the Revert button from a login that may not change the
        # row; its form saves whatever is posted. A revert is a change (of a deleted row: an
        # addition), so it needs those permissions whatever the page showed.
        pk = _id_or_404(self.opts.pk, unquote(object_id))
        history_id = _id_or_404(self.model.history.model._meta.pk, version_id)
        if request.method == "POST":
            version = get_object_or_404(
                self.model.history, **{self.opts.pk.attname: pk, "history_id": history_id}
            )
            if not self.has_revert_permission(request, version.instance):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_search_fields(self, request):
        # A search through another model's rows (a planet's spoken names) would confirm what
        # those rows say to a login that may not see them.
        return [
            path
            for path in super().get_search_fields(request)
            if all(may_view(request.user, model) for model in models_on(self.model, path))
        ]

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_revert_permission(request, obj)

    def has_revert_permission(self, request, obj) -> bool:
        """Change the row; a row deleted since needs the permission to add it back too (read
        from the user: inline rows are never added through their own admin page)."""
        if not self.has_change_permission(request, obj):
            return False
        if obj is None or self.model.objects.filter(pk=obj.pk).exists():
            return True
        return has_permission(request.user, self.model, "add")

    def history_view(self, request, object_id, extra_context=None):
        pk = _id_or_404(self.opts.pk, unquote(object_id))
        changes = [
            change
            for model, parent in self.history_inlines
            for change in self._inline_changes(request, model, {f"{parent}_id": pk})
        ]
        changes.sort(key=lambda change: change["record"].history_date, reverse=True)
        extra_context = {**(extra_context or {}), "inline_changes": changes}
        return super().history_view(request, object_id, extra_context)

    def _inline_changes(self, request, model, parent: dict) -> list[dict]:
        if not may_view(request.user, model):
            return []
        records = list(
            model.history.filter(**parent)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: self.history_inlines_shown]
        )
        changes = []
        for record in records:
            # The record before it, of the same row: the diff is what this change did.
            before = next(
                (r for r in records if r.id == record.id and r.history_date < record.history_date),
                None,
            )
            delta = before and record.diff_against(before, foreign_keys_are_objs=True)
            changes.append(
                {
                    "record": record,
                    "model": model._meta.verbose_name,
                    "changes": HistoricalRecordContextHelper(
                        model, record
                    ).context_for_delta_changes(delta)
                    if delta
                    else [],
                    "revert_url": reverse(
                        f"admin:directory_{model._meta.model_name}_simple_history",
                        args=[record.id, record.history_id],
                    ),
                }
            )
        return changes


class InlineRowAdmin(HistoryAdmin):
    """A row edited inline on its parent's page, registered only for its history and revert:
    not on the admin's index, and back to the parent's history after a revert."""

    parent = ""

    def get_readonly_fields(self, request, obj=None):
        return [self.parent]

    def has_module_permission(self, request):
        return False

    def has_add_permission(self, request):
        return False

    def response_change(self, request, obj):
        parent = getattr(obj, self.parent)
        self.message_user(
            request,
            gettext("“%(row)s” is back as it was in that version.") % {"row": obj},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"admin:directory_{parent._meta.model_name}_history", args=[parent.pk])
        )


def _codes(languages) -> str:
    return ", ".join(language.code for language in languages) or "—"


class MissingInFilter(admin.SimpleListFilter):
    """Rows that have no words yet in a language (the related name of those words varies)."""

    title = _("missing in")
    parameter_name = "missing_in"
    related = ""

    def lookups(self, request, model_admin):
        return [(language.code, str(language)) for language in Language.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.exclude(**{f"{self.related}__language__code": self.value()})


class PromptMissingFilter(MissingInFilter):
    related = "texts"


class PlanetMissingFilter(MissingInFilter):
    related = "names"


class MissingColumn:
    """A list column naming the languages a row has no words in yet."""

    related = ""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(f"{self.related}__language")

    def changelist_view(self, request, extra_context=None):
        self._languages = list(Language.objects.all())
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("missing in"))
    def missing_in(self, obj):
        present = {words.language_id for words in getattr(obj, self.related).all()}
        return _codes(language for language in self._languages if language.pk not in present)
