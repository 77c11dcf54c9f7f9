"""The phone simulator (bot/channels/phone.py) against the real SMS and WhatsApp channels, with a fake bot.

What the parent types goes to the channels' webhooks signed as Twilio and Meta sign (the channels refuse anything
else), and the channels' outbound calls reach the simulator's stand-ins for Twilio's and Meta's APIs.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import yaml
from aiohttp import web
from channel_fakes import FakeBot, serve_aiohttp, serve_channel

from bot.channels.phone import (
    DEMO_CREDENTIALS,
    PARENT_NUMBER,
    PARENT_WA_ID,
    SMS_KEY,
    TWILIO_STOP_REPLY,
    WHATSAPP_KEY,
    DemoSecrets,
    PhoneSimulator,
    add_routes,
    demo_credentials,
    real_channels,
)
from bot.channels.sms import SmsInput
from bot.channels.whatsapp import WhatsAppInput
from bot.content.loader import REPO_ROOT

LONG_ANSWER = (
    "We keep school records until your child is 25. Health visitor records are kept until your child is 25 too. "
    "Social care records are kept for longer, sometimes 75 years. You can ask us to check what we hold about you."
)


def replies(message) -> list[dict]:  # noqa: ANN001
    if message.text == "/see_my_data":
        return [{"text": "You can ask for a copy of your records."}]
    if message.text == "long":
        return [{"text": LONG_ANSWER}]
    if message.text == "choose":
        return [{"text": "Shall I send it?", "buttons": [{"title": "Yes", "payload": "/affirm"},
                                                         {"title": "No", "payload": "/deny"}]}]
    return [{"text": f"You said: {message.text}"}]


@dataclass
class Phones:
    simulator: PhoneSimulator
    bot: FakeBot
    url: str  # the simulator's web app

    def texts(self, thread: str, direction: str = "out") -> list[str]:
        return [m["text"] for m in self.simulator.threads[thread] if m["direction"] == direction]


@pytest.fixture
async def phones(tmp_path: Path) -> AsyncIterator[tuple[Phones, str, str]]:
    demo = DemoSecrets.make()
    simulator = PhoneSimulator(demo, "http://127.0.0.1:9")  # Rasa's address is known once the channels run
    app = web.Application()
    add_routes(app, simulator)
    bot = FakeBot(reply=replies)
    async with serve_aiohttp(app) as web_url:
        port = int(web_url.rsplit(":", 1)[1])
        config = yaml.safe_load(
            demo_credentials(REPO_ROOT / "credentials.yml", tmp_path / "creds.yml", demo, 0, port).read_text()
        )
        config[SMS_KEY].pop("public_url")  # the test server's port is chosen as it starts: sign its own URL
        sms, whatsapp = SmsInput.from_credentials(config[SMS_KEY]), WhatsAppInput.from_credentials(config[WHATSAPP_KEY])
        async with serve_channel(sms, bot) as sms_url, serve_channel(whatsapp, bot) as wa_url:
            assert sms_url != wa_url
            yield Phones(simulator, bot, web_url), sms_url, wa_url


async def test_an_sms_goes_through_the_signed_webhook_and_comes_back_with_its_segments(phones) -> None:
    phones, sms_url, _ = phones
    phones.simulator.rasa_url = sms_url
    assert await phones.simulator.send_sms("hello") == 200
    assert phones.bot.texts == ["hello"]
    assert phones.texts("sms", "in") == ["hello"]
    [reply] = [m for m in phones.simulator.threads["sms"] if m["direction"] == "out"]
    assert reply["text"] == "You said: hello" and reply["segments"] == 1 and reply["encoding"] == "GSM-7"
    assert await phones.simulator.send_sms("long") == 200
    long_reply = phones.simulator.threads["sms"][-1]
    assert long_reply["text"] == LONG_ANSWER and long_reply["segments"] == 2 and long_reply["characters"] > 160


async def test_a_forged_signature_is_refused_so_the_simulator_signs_as_twilio_does(phones) -> None:
    phones, sms_url, _ = phones
    phones.simulator.rasa_url = sms_url
    honest = phones.simulator.demo
    phones.simulator.demo = DemoSecrets(**{**honest.__dict__, "twilio_auth_token": "not-the-token"})
    assert await phones.simulator.send_sms("hello") == 403
    assert phones.bot.texts == []


async def test_stop_gets_twilios_own_confirmation_and_nothing_more_from_the_assistant(phones) -> None:
    phones, sms_url, _ = phones
    phones.simulator.rasa_url = sms_url
    assert await phones.simulator.send_sms("STOP") == 200
    platform = phones.simulator.threads["sms"][-1]
    assert platform["from"] == "Twilio" and platform["text"] == TWILIO_STOP_REPLY
    assert await phones.simulator.send_sms("hello") == 200
    assert phones.bot.texts == []  # the channel keeps a stopped number out of the conversation
    assert phones.texts("sms") == [TWILIO_STOP_REPLY]
    assert await phones.simulator.send_sms("START") == 200
    assert await phones.simulator.send_sms("hello again") == 200
    assert phones.texts("sms")[-1] == "You said: hello again"


async def test_whatsapp_buttons_show_in_the_thread_and_a_tap_sends_the_payload(phones) -> None:
    phones, _, wa_url = phones
    phones.simulator.rasa_url = wa_url
    assert await phones.simulator.send_whatsapp("choose") == 200
    question = phones.simulator.threads["whatsapp"][-1]
    assert question["text"] == "Shall I send it?"
    assert question["buttons"] == [{"id": "/affirm", "title": "Yes"}, {"id": "/deny", "title": "No"}]
    assert await phones.simulator.send_whatsapp(reply={"id": "/affirm", "title": "Yes"}) == 200
    assert phones.bot.texts == ["choose", "/affirm"]
    tapped = [m for m in phones.simulator.threads["whatsapp"] if m["direction"] == "in"][-1]
    assert tapped == {**tapped, "text": "Yes", "tapped": True}


async def test_whatsapp_is_signed_as_meta_signs(phones) -> None:
    phones, _, wa_url = phones
    phones.simulator.rasa_url = wa_url
    honest = phones.simulator.demo
    phones.simulator.demo = DemoSecrets(**{**honest.__dict__, "whatsapp_app_secret": "forged"})
    assert await phones.simulator.send_whatsapp("hello") == 403
    phones.simulator.demo = honest
    assert await phones.simulator.send_whatsapp("hello") == 200
    assert phones.texts("whatsapp") == ["You said: hello"]


async def test_the_stand_ins_check_credentials_as_the_real_apis_do(phones) -> None:
    phones, _, _ = phones
    demo = phones.simulator.demo
    async with aiohttp.ClientSession() as http:
        twilio = f"{phones.url}/phone/twilio/2010-04-01/Accounts/{demo.twilio_account_sid}/Messages.json"
        async with http.post(twilio, data={"To": PARENT_NUMBER, "Body": "x"}, auth=aiohttp.BasicAuth("AC1", "no")) as r:
            assert r.status == 401
        graph = f"{phones.url}/phone/graph/v21.0/100000000000001/messages"
        body = {"messaging_product": "whatsapp", "to": PARENT_WA_ID, "type": "text", "text": {"body": "x"}}
        async with http.post(graph, json=body, headers={"Authorization": "Bearer wrong"}) as r:
            assert r.status == 401
    assert phones.simulator.threads == {"sms": [], "whatsapp": []}


async def test_the_page_api_takes_json_from_its_own_page_only(phones) -> None:
    phones, sms_url, _ = phones
    phones.simulator.rasa_url = sms_url
    async with aiohttp.ClientSession() as http:
        send = f"{phones.url}/phone/api/send/sms"
        async with http.post(send, data="text=hi") as r:  # a form post, as another site could make
            assert r.status == 403
        async with http.post(send, json={"text": "hi"}, headers={"Origin": "https://evil.example"}) as r:
            assert r.status == 403
        async with http.post(send, json={"text": "   "}) as r:
            assert r.status == 400
        async with http.post(send, json={"text": "hi"}) as r:
            assert r.status == 200 and (await r.json())["ok"] is True
        async with http.get(f"{phones.url}/phone/api/thread?after=-1") as r:
            thread = await r.json()
    assert [m["text"] for m in thread["sms"]["messages"]] == ["hi", "You said: hi"]
    assert phones.bot.texts == ["hi"]
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{phones.url}/phone/api/new-parent", json={}) as r:
            assert r.status == 200
    assert phones.simulator.threads == {"sms": [], "whatsapp": []}
    assert phones.simulator.sms_number != PARENT_NUMBER and phones.simulator.wa_id != PARENT_WA_ID
    assert await phones.simulator.send_sms("hi") == 200
    senders = {m.sender_id for m in phones.bot.received}
    assert len(senders) == 2  # a new number is a new conversation


def test_the_simulator_talks_to_rasa_on_loopback_only() -> None:
    for url in ("http://rasa.example.org:5005", "https://127.0.0.1:5005", "http://10.0.0.5:5005"):
        with pytest.raises(ValueError, match="loopback"):
            PhoneSimulator(DemoSecrets.make(), url)


def test_demo_mode_is_off_when_real_channels_or_secrets_are_set(tmp_path: Path) -> None:
    shipped = REPO_ROOT / "credentials.yml"
    assert real_channels(shipped, environ={}) is None  # as shipped: the demo runs
    assert "TWILIO_AUTH_TOKEN" in (real_channels(shipped, environ={"TWILIO_AUTH_TOKEN": "x"}) or "")
    configured = tmp_path / "credentials.yml"
    configured.write_text(shipped.read_text() + "\nbot.channels.sms.SmsInput:\n  account_sid: ${TWILIO_ACCOUNT_SID}\n")
    assert SMS_KEY in (real_channels(configured, environ={}) or "")


def test_demo_secrets_are_made_once_private_and_sent_only_to_loopback(tmp_path: Path) -> None:
    path = tmp_path / "var" / "phone-demo.json"
    first = DemoSecrets.load_or_make(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert DemoSecrets.load_or_make(path) == first
    assert first != DemoSecrets.make()
    out = demo_credentials(REPO_ROOT / "credentials.yml", tmp_path / "c.yml", first, 5005, 8080)
    config = yaml.safe_load(out.read_text())
    shipped = yaml.safe_load((REPO_ROOT / "credentials.yml").read_text())
    assert set(shipped) <= set(config)  # the channels credentials.yml has (REST, web chat) stay on
    assert config[SMS_KEY]["auth_token"] == first.twilio_auth_token
    assert config[SMS_KEY]["api_base_url"] == "http://127.0.0.1:8080/phone/twilio"
    assert config[SMS_KEY]["public_url"] == "http://127.0.0.1:5005/webhooks/sms/webhook"
    assert config[WHATSAPP_KEY]["graph_base_url"] == "http://127.0.0.1:8080/phone/graph"
    assert json.loads(path.read_text())["whatsapp_app_secret"] == first.whatsapp_app_secret
    assert DEMO_CREDENTIALS.parent.name == "var"  # git-ignored, beside the records database


def test_make_run_turns_the_demo_on_only_without_real_settings(tmp_path: Path, monkeypatch) -> None:
    from bot.channels import phone

    monkeypatch.setattr(phone, "DEMO_FILE", tmp_path / "phone-demo.json")
    monkeypatch.setattr(phone, "DEMO_CREDENTIALS", tmp_path / "credentials.demo.yml")
    for name in phone.REAL_SECRETS_ENV:
        monkeypatch.delenv(name, raising=False)
    credentials, line = phone.prepare_demo(5005, 8080)
    assert credentials == tmp_path / "credentials.demo.yml" and "http://localhost:8080/phone" in line
    assert yaml.safe_load(credentials.read_text())[SMS_KEY]["api_base_url"].startswith("http://127.0.0.1:8080/")
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "a-real-token")
    off = "Phone simulator off: WHATSAPP_ACCESS_TOKEN set in the environment."
    assert phone.prepare_demo(5005, 8080) == (None, off)
