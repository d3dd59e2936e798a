from django.urls import path, re_path

from . import views, voicemail

app_name = "ivr"

urlpatterns = [
    path("welcome", views.welcome, name="welcome"),
    path("menu", views.menu, name="menu"),
    path("planets", views.planets, name="planets"),
    path("confirm", views.confirm, name="confirm"),
    path("dialed", views.dialed, name="dialed"),
    path("fallback", views.fallback, name="fallback"),
    path("status", views.status, name="status"),
    path("voicemail/offered", voicemail.offered, name="voicemail_offered"),
    path("voicemail/recorded", voicemail.recorded, name="voicemail_recorded"),
    path("voicemail/recording", voicemail.recording, name="voicemail_recording"),
    path("voicemail/transcription", voicemail.transcription, name="voicemail_transcription"),
    re_path(r"^(?P<path>.*)$", views.elsewhere, name="elsewhere"),
]
