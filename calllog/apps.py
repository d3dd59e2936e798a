from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalllogConfig(AppConfig):
    name = "calllog"
    verbose_name = _("Call log")
