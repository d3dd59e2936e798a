from django.urls import path, re_path

from . import views

app_name = "ivr"

urlpatterns = [
    path("welcome", views.welcome, name="welcome"),
    path("menu", views.menu, name="menu"),
    path("planets", views.planets, name="planets"),
    path("confirm", views.confirm, name="confirm"),
    path("dialed", views.dialed, name="dialed"),
    path("fallback", views.fallback, name="fallback"),
    path("status", views.status, name="status"),
    re_path(r"^(?P<path>.*)$", views.elsewhere, name="elsewhere"),
]
