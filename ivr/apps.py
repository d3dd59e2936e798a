from django.apps import AppConfig


class IvrConfig(AppConfig):
    name = "ivr"
    verbose_name = "Phone tree"

    def ready(self):
        from . import checks  # noqa: F401  (registers the start-up checks)
