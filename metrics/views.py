"""/metrics: what Prometheus scrapes, for whoever holds METRICS_TOKEN."""

import hmac

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from . import multiprocess
from .registry import REGISTRY, SCRAPE_TIME, forget_dead_workers, multiprocess_directory


@require_GET
def metrics(request):
    """Prometheus' scrape: every worker's counts, with a bearer token; 404 when not set up."""
    if not settings.METRICS_TOKEN:
        raise Http404
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.METRICS_TOKEN.encode()
    ):
        response = HttpResponse("A bearer token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if (directory := multiprocess_directory()) is not None:
        multiprocess.pending.flush()  # this worker's own counts, up to now
        forget_dead_workers()
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        registry.register(SCRAPE_TIME)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
