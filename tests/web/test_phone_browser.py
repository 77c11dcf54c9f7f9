"""The phone simulator in headless Chromium, against the real servers as `make run` starts them in demo mode.

The SMS and WhatsApp channels run in Rasa with demo secrets; the simulator signs each message as Twilio and Meta
do and shows what the channels send to its stand-ins for their APIs. A parent holds a conversation on each:
a topic question, the identity check, an opt-out with its reference, STOP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from bot.channels.phone import TWILIO_STOP_REPLY, DemoSecrets, demo_credentials
from bot.content.loader import REPO_ROOT
from bot.server import free_port
from tests.e2e.conftest import trained_model_and_demo_records
from tests.web.test_widget_browser import axe_violations, screenshot_dir

pytestmark = pytest.mark.e2e
REPLY_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def phone_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Action server, Rasa and the web server with the simulator, on free loopback ports. Yields /phone's URL."""
    from bot.server import start_servers, stop, wait_until_up

    folder = tmp_path_factory.mktemp("phone")
    with trained_model_and_demo_records(folder):
        rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
        secrets_file = folder / "phone-demo.json"
        credentials = demo_credentials(
            REPO_ROOT / "credentials.yml", folder / "credentials.yml", DemoSecrets.load_or_make(secrets_file),
            rasa_port, web_port,
        )
        processes = start_servers(rasa_port, actions_port, web_port, credentials=credentials, log_dir=folder,
                                  phone_demo=secrets_file)
        try:
            up = all(
                wait_until_up(health, processes)
                for health in (f"http://127.0.0.1:{actions_port}/health", f"http://127.0.0.1:{web_port}/health",
                               f"http://127.0.0.1:{rasa_port}/webhooks/rest/")
            )
            assert up, f"servers did not start; logs in {folder}"
            yield f"http://127.0.0.1:{web_port}/phone"
        finally:
            stop(processes)


class Phone:
    """One of the two phones on the page."""

    def __init__(self, page: Page, channel: str) -> None:
        self.box = page.locator(f'[data-ph-channel="{channel}"]')
        self.replies = self.box.locator('.ph-msg:not([data-ph-direction="in"])')  # the assistant's, and Twilio's

    async def say(self, text: str, expect_in_reply: str | re.Pattern[str]) -> str:
        """Type a message, and wait for a new reply from the assistant that contains `expect_in_reply`."""
        return await self._wait(expect_in_reply, self._type(text))

    async def tap(self, title: str, expect_in_reply: str | re.Pattern[str]) -> str:
        """Tap the newest WhatsApp button or list row with this title, and wait for the reply."""
        return await self._wait(expect_in_reply, self.box.locator(".ph-choices button", has_text=title).last.click())

    async def _type(self, text: str) -> None:
        await self.box.locator("[data-ph-input]").fill(text)
        await self.box.get_by_role("button", name="Send").click()

    async def _wait(self, expect_in_reply: str | re.Pattern[str], action: Any) -> str:
        matching = self.replies.filter(has_text=expect_in_reply)
        before = await matching.count()
        await action
        newest = matching.nth(before)
        await expect(newest).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        return await newest.inner_text()


async def test_a_parent_holds_an_sms_and_a_whatsapp_conversation(
    browser: Any, phone_site: str, axe_source: str, tmp_path: Path
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.add_init_script(script=axe_source)  # injected by the browser, so the page's CSP still applies
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith("http://127.0.0.1:") else outside.append(r.url))
    await page.goto(phone_site)
    await expect(page.get_by_role("heading", name="Phone simulator")).to_be_visible()

    sms = Phone(page, "sms")
    answer = await sms.say("how long do you keep our records", "More: https://")
    assert re.search(r"\b\d+ segments? · GSM-7 · \d+ characters", answer), answer
    await sms.say("opt me out", "family reference")
    await sms.say("DEMO-1001", "date of birth")
    choices = await sms.say("3/4/2019", "matches")
    assert "Reply 3 for Research and planning" in choices, choices  # numbered choices in place of buttons
    cut = await sms.say("3", "Reply MORE for the rest")  # a reply is at most 3 segments
    assert "3 segments" in cut, cut
    rest = await sms.say("MORE", re.compile(r"\w"))  # the rest of the cut reply
    assert "Shall I send it?" in cut + rest  # where the cut falls depends on the words before it
    done = await sms.say("yes", re.compile(r"OPT-[A-Z0-9]{5}"))
    assert "reply by" in done
    stopped = await sms.say("STOP", TWILIO_STOP_REPLY)
    assert "from Twilio, not the assistant" in stopped
    await sms.box.locator("[data-ph-input]").fill("hello")
    await sms.box.get_by_role("button", name="Send").click()
    await expect(sms.box.locator(".ph-msg").last).to_have_text("hello")  # sent, and nothing comes back
    await page.wait_for_timeout(3000)
    await expect(sms.box.locator(".ph-msg").last).to_have_text("hello")

    whatsapp = Phone(page, "whatsapp")
    await whatsapp.say("how long do you keep our records", "More: https://")
    await whatsapp.say("I want to opt out", "family reference")
    await whatsapp.say("DEMO-1002", "date of birth")
    await whatsapp.say("21 November 2016", "matches")
    purposes = whatsapp.box.locator(".ph-choices button", has_text="Research and planning")
    await expect(purposes.first).to_be_visible(timeout=REPLY_TIMEOUT_MS)  # choices come as buttons or a list
    await whatsapp.tap("Research and planning", "Shall I send it?")
    await whatsapp.tap("Yes", re.compile(r"OPT-[A-Z0-9]{5}"))
    await whatsapp.say("STOP", re.compile(r"\w"))  # WhatsApp has no carrier STOP: the assistant answers it

    await page.screenshot(path=str(screenshot_dir(tmp_path) / "phone-simulator.png"), full_page=True)
    assert await axe_violations(page) == []  # with both conversations on the page
    assert outside == [] and errors == [], (outside, errors)
    await context.close()
