"""The voicemail app; it has purge_calls delete voicemails with their calls."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicemailConfig(AppConfig):
    name = "voicemail"
    verbose_name = _("Voicemail")

    def ready(self):
        from calllog.maintenance import purge_register

        from .services import calls_purged

        # Voicemails hold callers' numbers and voices: purge_calls deletes them with the calls.
        purge_register(calls_purged)
