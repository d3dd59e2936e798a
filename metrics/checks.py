"""Start-up checks of /metrics' settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_metrics_over_https(app_configs, **kwargs):
    if not settings.METRICS_TOKEN or settings.SECURE_SSL_REDIRECT:
        return []
    return [
        Warning(
            "/metrics is on (METRICS_TOKEN is set) but requests are not redirected to HTTPS "
            "(DJANGO_SECURE_SSL_REDIRECT=false): the token and the figures may cross the "
            "network in clear.",
            hint="Serve the site over HTTPS (DJANGO_SECURE_SSL_REDIRECT=true, the default in "
            "production), or scrape over a private network only.",
            id="metrics.W001",
        )
    ]
