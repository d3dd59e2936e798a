"""The WSGI handler: Django's, except that a webhook's request goes without its signals.

Django announces each request's start and end (request_started, request_finished) to whoever
listens; its own listeners empty the query log, close a database connection that is too old,
broken or left in a transaction, close the caches' connections and forget the thread's URLconf.
Sending the two signals and running their listeners was an eighth of a webhook's cost
(docs/performance.md). A webhook touches the default database and none of the rest, so for a
path under /ivr/ this handler does the database's part itself, before and after the request,
and answers with the response's bytes (the server then has no response to close, which is
where Django sends request_finished). Everything else, staff pages, health checks, static files,
goes through Django's handler unchanged, signals and all.
"""

from django.core.handlers.wsgi import WSGIHandler, get_script_name
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import set_script_prefix

from .middleware import WEBHOOKS


def database_tidied() -> None:
    """What Django's request listeners do for the default database: the query log emptied (it
    keeps queries only when they are logged, DEBUG or tests), and the connection closed when
    it is older than DATABASE_CONN_MAX_AGE, has failed, or was left in a transaction."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.queries_logged:
        database.queries_log.clear()
    database.close_if_unusable_or_obsolete()


class WebhookHandler(WSGIHandler):
    """etphone.wsgi's application."""

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(WEBHOOKS):
            return super().__call__(environ, start_response)
        set_script_prefix(get_script_name(environ))
        database_tidied()
        request = self.request_class(environ)
        try:
            response = self.get_response(request)
            # No webhook streams; one that did would be closed by the server, as Django's are.
            if response.streaming:
                response._handler_class = self.__class__
                start_response(_status(response), _headers(response))
                return response
            content = response.content
            start_response(_status(response), _headers(response))
            return [content]
        finally:
            request.close()
            database_tidied()


def _status(response) -> str:
    return f"{response.status_code} {response.reason_phrase}"


def _headers(response) -> list[tuple[str, str]]:
    return [
        *response.items(),
        *(("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()),
    ]
