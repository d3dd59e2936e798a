"""A load balancer can tell a process that answers from one whose database is gone."""

from http import HTTPStatus

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def database_is_gone(execute, sql, params, many, context):
    raise OperationalError("could not connect to server")


def test_the_health_check_answers_without_the_database(unsigned_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = unsigned_client.get("/health")
    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok\n"


def test_the_database_health_check_reads_the_directory(unsigned_client, demo):
    response = unsigned_client.get("/health/database")
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().splitlines() == ["ok", "call log entries waiting: 0"]


def test_the_database_health_check_fails_when_the_database_cannot_be_read(unsigned_client, demo):
    with connection.execute_wrapper(database_is_gone):
        response = unsigned_client.get("/health/database")
        plain = unsigned_client.get("/health")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert plain.status_code == HTTPStatus.OK


def test_health_checks_are_not_redirected_to_https(unsigned_client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert unsigned_client.get("/health").status_code == HTTPStatus.OK
    assert unsigned_client.get("/health/database").status_code == HTTPStatus.OK
