"""The call log app; it lends the tree's picture its figures, /metrics the spools'."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalllogConfig(AppConfig):
    name = "calllog"
    verbose_name = _("Call log")

    def ready(self):
        from debugger.services import reports_purge
        from directory.picture import figures_source
        from metrics.registry import collector_register

        from .maintenance import purge_register
        from .selectors import picture_figures
        from .spool_metrics import spools_collect

        # The tree's picture (in the directory) shows the calls' figures on its menus.
        figures_source(picture_figures)
        # /metrics tells what waits in the spools.
        collector_register(spools_collect)
        # Twilio's Debugger reports may hold callers' numbers: purge_calls deletes them too.
        purge_register(reports_purge)
