"""credentials.yml as docs/channels.md shows it loads through Rasa's own channel loader, and the
webhooks are mounted where the docs say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa.core.run import create_http_input_channels

from bot.channels.sms import SmsInput
from bot.channels.whatsapp import WhatsAppInput

DOCS = Path(__file__).resolve().parents[2] / "docs" / "channels.md"


def _yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", markdown, re.S)


def test_the_documented_credentials_load_through_rasa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "SENDER_ID_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_ACCESS_TOKEN",
    ]:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    blocks = _yaml_blocks(DOCS.read_text(encoding="utf-8"))
    full = [b for b in blocks if "bot.channels.sms.SmsInput:" in b and "bot.channels.whatsapp.WhatsAppInput:" in b]
    assert full, "docs/channels.md shows one credentials.yml block with both channels"
    path = tmp_path / "credentials.yml"
    path.write_text(full[0], encoding="utf-8")

    channels = create_http_input_channels(None, str(path))

    by_type = {type(c): c for c in channels}
    sms, whatsapp = by_type[SmsInput], by_type[WhatsAppInput]
    assert sms.url_prefix() == "sms" and whatsapp.url_prefix() == "whatsapp"
    assert sms.settings.auth_token == "value-of-twilio_auth_token"
    assert sms.settings.max_segments == 3
    assert whatsapp.settings.app_secret == "value-of-whatsapp_app_secret"
    assert whatsapp.settings.graph_base_url == "https://graph.facebook.com"


def test_every_documented_key_is_read_by_the_channel() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for module in ("sms", "whatsapp"):
        source = (Path(__file__).resolve().parents[2] / "bot" / "channels" / f"{module}.py").read_text()
        section = text.split(f"<!-- keys:{module} -->")[1].split("<!-- /keys -->")[0]
        keys = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
        assert len(keys) >= 8
        for key in keys:
            assert f'"{key}"' in source, f"docs/channels.md documents {key!r} but {module}.py does not read it"
