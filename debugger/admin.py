"""The Debugger's reports in the admin: newest first, what each code means, Twilio's page.
Read-only: Twilio writes them; staff who may delete reports may delete them. A caller's number
or words in a report are shown only to staff with the call log's permissions for them."""

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.querystrings import fields_on

from .models import Report
from .privacy import redacted

# The call log's permissions, by name: this room sits below the call log and imports nothing
# from it (tests/debugger/test_admin.py checks the names).
CALLER_PERMISSION = "calllog.view_caller_number"
WORDS_PERMISSION = "calllog.view_utterance"
RAW = Report._meta.get_field("raw")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "level",
        "error_code",
        "meaning",
        "twilio_page",
        "url",
        "method",
        "response_status",
    ]
    list_filter = ["level", "error_code", ("occurred_at", admin.DateFieldListFilter)]
    search_fields = ["error_code", "url", "sid", "resource_sid"]
    ordering = ["-occurred_at", "-id"]
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # What Twilio sent holds callers' numbers and words: a query string may not read them
        # back a character at a time.
        if RAW in fields_on(self.model, lookup) and not (
            request
            and request.user.has_perm(CALLER_PERMISSION)
            and request.user.has_perm(WORDS_PERMISSION)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("meaning"))
    def meaning(self, report):
        return report.meaning or "-"

    @admin.display(description=_("Twilio's page"))
    def twilio_page(self, report):
        if not (url := report.docs_url):
            return "-"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>',
            url,
            gettext("About %(code)s") % {"code": report.error_code},
        )

    def get_fieldsets(self, request, obj=None):
        # What a caller sent is shown as this login may see it: worked out per request (admin
        # methods are shared by every request).
        numbers = request.user.has_perm(CALLER_PERMISSION)
        words = request.user.has_perm(WORDS_PERMISSION)

        def shown(value):
            return redacted(value, numbers=numbers, words=words)

        @admin.display(description=_("parameters"))
        def parameters(report):
            sent = report.request_parameters
            if not sent:
                return "-"
            return format_html(
                '<table class="debugger-parameters">{}</table>',
                format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", shown(sent).items()),
            )

        @admin.display(description=_("report"))
        def raw(report):
            text = json.dumps(shown(report.raw), indent=2, ensure_ascii=False)
            return format_html("<pre>{}</pre>", text)

        first = ["occurred_at", "level", "error_code", "meaning", "twilio_page", "resource_sid"]
        return [
            (None, {"fields": [*first, "sid", "received_at"]}),
            (_("Twilio's request"), {"fields": ["url", "method", parameters]}),
            (_("Our answer, as Twilio saw it"), {"fields": ["response_status", "answer_body"]}),
            (_("As Twilio sent it"), {"classes": ["collapse"], "fields": [raw]}),
        ]

    @admin.display(description=_("body"))
    def answer_body(self, report):
        return format_html("<pre>{}</pre>", report.response_body) if report.response_body else "-"
