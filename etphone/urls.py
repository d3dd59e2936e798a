from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from ivr import views as ivr_views

urlpatterns = [
    path("", ivr_views.home, name="home"),
    path("ivr/", include("ivr.urls")),
    path("simulator/", include("simulator.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
