from django.apps import AppConfig


class CalllogConfig(AppConfig):
    name = "calllog"
    verbose_name = "Call log"
