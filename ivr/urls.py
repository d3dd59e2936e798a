"""The URLs Twilio requests: one per kind of call step, and Twilio's callbacks."""

from django.urls import path, re_path

from . import views

app_name = "ivr"

# Each step of a call is answered by the step engine (ivr/engine.py); the URL names the kind of
# step, its query string the menu, language, attempts and planet.
STEPS = {
    "welcome": "welcome",
    "menu": "menu",
    "planets": "planets",
    "confirm": "confirm",
    "dialed": "dialed",
    "voicemail/offered": "voicemail_offered",
    "voicemail/recorded": "voicemail_recorded",
}

urlpatterns = [
    *(path(route, views.webhook, {"step": name}, name=name) for route, name in STEPS.items()),
    path("fallback", views.fallback, name="fallback"),
    path("status", views.status, name="status"),
    path("voicemail/recording", views.voicemail_recording, name="voicemail_recording"),
    path("voicemail/transcription", views.voicemail_transcription, name="voicemail_transcription"),
    path("texts/status", views.text_status, name="text_status"),
    path("debugger", views.debugger, name="debugger"),
    re_path(r"^(?P<path>.*)$", views.elsewhere, name="elsewhere"),
]
