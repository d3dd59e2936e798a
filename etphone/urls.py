"""The site's URLs: the home page, health checks, /metrics, the webhooks, the simulator,
the recorded prompts and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from directory import views as directory_views
from ivr import views as ivr_views
from metrics import views as metrics_views

urlpatterns = [
    path("", ivr_views.home, name="home"),
    path("health", ivr_views.health, name="health"),
    path("health/database", ivr_views.health_database, name="health-database"),
    path("metrics", metrics_views.metrics, name="metrics"),
    path("ivr/", include("ivr.urls")),
    path("simulator/", include("simulator.urls")),
    # Public: Twilio's <Play> fetches these without a signature (names are content hashes).
    path("recordings/<str:name>", directory_views.recording_file, name="recording"),
    # set_language: the admin's language switch (no i18n_patterns: URLs stay the same).
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
]
