"""The ivr app: how a call moves (the webhooks, the step engine, TwiML)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "ivr"
    verbose_name = _("Phone tree")

    def ready(self):
        from . import checks  # noqa: F401  (registers the start-up checks)
