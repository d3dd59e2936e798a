"""The debugger app: Twilio's Debugger reports, kept for staff."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DebuggerConfig(AppConfig):
    name = "debugger"
    verbose_name = _("Twilio's Debugger")
    default_auto_field = "django.db.models.BigAutoField"
