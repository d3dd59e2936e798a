"""The tests' servers get ports no other test process's server has: granian listens with
SO_REUSEPORT, and two servers on one port silently share its connections."""

import socket
import subprocess
import sys

import pytest

from tests import server
from tests.server import ROOT, TEST_PORTS, free_port


def test_a_port_claimed_here_is_not_given_to_another_test_process():
    port = free_port()
    assert port in TEST_PORTS
    code = (
        "from tests import server\n"
        f"server.TEST_PORTS = range({port}, {port + 1})\n"
        "server.free_port()\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert other.returncode == 1
    assert f"No free port in range({port}, {port + 1}) after 1 tries" in other.stderr


def test_a_port_something_listens_on_is_not_given(monkeypatch):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        monkeypatch.setattr(server, "TEST_PORTS", range(port, port + 1))
        with pytest.raises(RuntimeError, match="No free port"):
            free_port()


def test_a_port_given_is_not_given_again_in_this_process(monkeypatch):
    first, second = free_port(), free_port()
    monkeypatch.setattr(server, "TEST_PORTS", range(first, first + 1))
    with pytest.raises(RuntimeError, match="No free port"):
        free_port()
    assert second != first
