"""The simulator's page and the endpoint its script drives."""

from django.urls import path

from . import views

app_name = "simulator"

urlpatterns = [
    path("", views.phone, name="phone"),
    path("step", views.step, name="step"),
]
