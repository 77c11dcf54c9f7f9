"""A parent's side of the REST channel, for tests that talk to a running Rasa server (or nginx in front)."""

from __future__ import annotations

import json
import urllib.request


class RestChat:
    """Sends messages to one REST webhook URL and returns Rasa's replies."""

    def __init__(self, url: str, timeout: float = 90) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, sender: str, message: str, timeout: float | None = None) -> list[dict]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:  # noqa: S310 - loopback
            assert response.status == 200
            return json.loads(response.read())

    def text(self, sender: str, message: str, timeout: float | None = None) -> str:
        return "\n".join(m.get("text", "") for m in self.send(sender, message, timeout))
