"""A real SMTP server on loopback (aiosmtpd) that the notifications are sent to.

`smtp.messages` holds what it received, parsed (email.message.EmailMessage);
the `app` here sends to it (MAIL_SERVER/MAIL_PORT), from a sender of the network.
"""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask_mailman import Mail

SENDER = "Bouteilles <notifications@bouteilles.test>"


class Inbox:
    """aiosmtpd's handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def app(app, smtp):
    """The app of tests/conftest.py, its mail sent to the loopback server."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                      MAIL_DEFAULT_SENDER=SENDER)
    Mail().init_app(app)
    return app


@pytest.fixture
def mail_port(app, smtp):
    """mail_port(None) sends the app's mail to a port nobody listens on (the server is
    down); mail_port(smtp.port) to the server again."""

    def point(port: int | None) -> None:
        app.config["MAIL_PORT"] = port or free_port()
        Mail().init_app(app)

    return point
