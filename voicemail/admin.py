"""The voicemail inbox: filters, a player, mark handled; deleting removes the recording too."""

import logging

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as confirm_delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from directory.querystrings import InRange
from twilio_api.client import NotFound, TwilioApiError
from twilio_api.recordings import recording_audio

from .models import LISTEN_PERMISSION, Voicemail
from .services import recording_remove, voicemails_delete

logger = logging.getLogger("voicemail")


def _streamed(audio):
    try:
        yield from audio.chunks
    finally:
        audio.close()


@admin.register(Voicemail)
class VoicemailAdmin(InRange, admin.ModelAdmin):
    list_filter = ["handled", "planet", ("received_at", admin.DateFieldListFilter)]
    search_fields = ["recording_sid", "call_sid", "transcription"]
    ordering = ["-received_at", "-id"]
    list_per_page = 50
    actions = ["mark_handled", "mark_unhandled"]

    def has_add_permission(self, request):
        return False  # voicemails come from callers only

    @admin.display(description=_("message"))
    def player(self, voicemail):
        url = reverse("admin:voicemail_voicemail_audio", args=[voicemail.pk])
        return format_html('<audio controls preload="none" src="{}"></audio>', url)

    def _can_listen(self, request) -> list[str]:
        # The player only for staff who may listen: others would get a silent 403.
        return ["player"] if request.user.has_perm(LISTEN_PERMISSION) else []

    def get_list_display(self, request):
        return ["received_at", "planet", "duration", *self._can_listen(request), "handled"]

    def get_fields(self, request, obj=None):
        return [
            "received_at",
            "planet",
            "language",
            "duration",
            *self._can_listen(request),
            "transcription",
            "handled",
            "call_sid",
            "recording_sid",
            "deletion_error",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [field for field in self.get_fields(request, obj) if field != "handled"]

    def get_urls(self):
        audio = path(
            "<path:object_id>/audio/",
            self.admin_site.admin_view(self.audio_view),
            name="voicemail_voicemail_audio",
        )
        return [audio, *super().get_urls()]

    def audio_view(self, request, object_id):
        """The message's audio, fetched from Twilio with the account's credentials and streamed:
        neither Twilio's URL nor a credential reaches the browser. Listening needs its own
        permission and that to see the inbox."""
        if not (request.user.has_perm(LISTEN_PERMISSION) and self.has_view_permission(request)):
            raise PermissionDenied
        voicemail = self.get_object(request, unquote(object_id))  # None for any bad id
        if voicemail is None:
            raise Http404
        try:
            audio = recording_audio(voicemail.recording_sid)
        except NotFound:
            return HttpResponse(
                gettext("Twilio no longer has this recording."),
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        except TwilioApiError as error:
            logger.error("Could not fetch recording %s: %s", voicemail.recording_sid, error)
            return HttpResponse(
                gettext("Twilio could not send the recording; the server log says why."),
                status=502,
                content_type="text/plain; charset=utf-8",
            )
        response = StreamingHttpResponse(_streamed(audio), content_type=audio.content_type)
        if audio.length:
            response["Content-Length"] = audio.length
        response["Cache-Control"] = "private, no-store"
        return response

    @admin.action(description=_("Mark the selected voicemails as handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        count = queryset.update(handled=True)
        message = ngettext(
            "%(count)d voicemail marked as handled.",
            "%(count)d voicemails marked as handled.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(
        description=_("Mark the selected voicemails as not handled"), permissions=["change"]
    )
    def mark_unhandled(self, request, queryset):
        count = queryset.update(handled=False)
        message = ngettext(
            "%(count)d voicemail marked as not handled.",
            "%(count)d voicemails marked as not handled.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting a voicemail deletes its recording at Twilio first; Django's own action would
        # report success for a voicemail Twilio refused to let go.
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                VoicemailAdmin.delete_with_recordings,
                "delete_selected",
                _("Delete the selected voicemails and their recordings at Twilio"),
            )
        return actions

    def delete_with_recordings(self, request, queryset):
        if not request.POST.get("post"):
            return confirm_delete_selected(self, request, queryset)  # the confirmation page
        deleted, kept = voicemails_delete(queryset)
        if deleted:
            self.message_user(
                request,
                ngettext(
                    "Deleted %(count)d voicemail and its recording.",
                    "Deleted %(count)d voicemails and their recordings.",
                    deleted,
                )
                % {"count": deleted},
                messages.SUCCESS,
            )
        if kept:
            self.message_user(
                request,
                ngettext(
                    "Kept %(count)d voicemail: Twilio could not delete its recording. %(why)s",
                    "Kept %(count)d voicemails: Twilio could not delete their recordings. %(why)s",
                    len(kept),
                )
                % {"count": len(kept), "why": "; ".join(kept)},
                messages.ERROR,
            )
        return None

    def delete_view(self, request, object_id, extra_context=None):
        # The recording goes first, outside the admin's transaction: Twilio may take seconds.
        voicemail = self.get_object(request, unquote(object_id))
        if (
            request.method == "POST"
            and voicemail is not None
            and self.has_delete_permission(request, voicemail)
        ):
            try:
                recording_remove(voicemail=voicemail)
            except TwilioApiError as error:
                self.message_user(
                    request,
                    gettext(
                        "The voicemail was kept: Twilio could not delete its recording. %(why)s"
                    )
                    % {"why": error},
                    messages.ERROR,
                )
                change = reverse("admin:voicemail_voicemail_change", args=[voicemail.pk])
                return HttpResponseRedirect(change)
        return super().delete_view(request, object_id, extra_context)
