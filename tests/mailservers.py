"""Mail servers for the outbox tests: one that refuses every connection, one that accepts and
never answers."""

import socket
import threading

from django.core.mail.backends.base import BaseEmailBackend


class MailServerDown(BaseEmailBackend):
    """An e-mail backend whose server refuses every connection."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


class SilentSMTPServer:
    """Accepts TCP connections on a loopback port and never says a word (no SMTP greeting)."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.port = self.socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                client, _address = self.socket.accept()
            except OSError:
                return
            self.accepted.append(client)

    def close(self):
        self.socket.close()
        for client in self.accepted:
            client.close()
