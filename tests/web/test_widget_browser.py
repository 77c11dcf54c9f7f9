"""The chat widget in real headless Chromium (Playwright), against a fake Rasa Socket.IO server.

Skipped with a reason when Chromium (or, for the accessibility checks, axe-core) is not installed, and failed
instead under PDA_TESTS_REQUIRE_ALL=1 (tests/needs.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from bot.content.loader import content

from .conftest import (
    ANSWER_PARTS,
    SEE_MY_DATA_REPLY,
    FakeRasa,
    serve_fake_rasa,
    serve_site,
)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 320, "height": 640}
ZOOM_200 = {"width": 640, "height": 400}  # a 1280 x 800 window at 200% zoom


class Tab:
    """One browser tab on the demo page, collecting console errors (CSP violations show up there)."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @property
    def log(self):  # noqa: ANN201
        return self.page.locator("#pda-log")

    async def open_chat(self) -> None:
        await self.page.goto(self.base + "/")
        await self.page.get_by_role("button", name="Ask about your family's records").click()
        await expect(self.page.locator("#pda-panel")).to_be_visible()
        await expect(self.page.locator("#pda-input")).to_be_focused()

    async def say(self, text: str) -> None:
        await self.page.get_by_label("Type your question").fill(text)
        await self.page.keyboard.press("Enter")

    async def ask_and_wait(self, text: str = "who can see my records") -> None:
        await self.say(text)
        await expect(self.page.locator(".pda-source a")).to_have_count(1)

    async def storage(self) -> dict[str, Any]:
        return await self.page.evaluate(
            "() => ({session: sessionStorage.length, local: localStorage.length, cookie: document.cookie,"
            " sessionKeys: Object.keys(sessionStorage), localKeys: Object.keys(localStorage)})"
        )


@pytest.fixture
async def tab(browser: Any, site: str) -> AsyncIterator[Tab]:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    yield Tab(page, site)
    await context.close()


async def axe_violations(page: Page) -> list[str]:
    result = await page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' - ' + n.failureSummary).join(' | '));
        }""",
        AXE_TAGS,
    )
    return result


async def test_a_full_conversation(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    log = tab.log
    await expect(log).to_have_attribute("role", "log")
    await expect(log).to_have_attribute("aria-live", "polite")

    await tab.say("who can see my records")
    await expect(tab.page.locator(".pda-msg-user")).to_have_text("You said: who can see my records")
    await expect(tab.page.locator(".pda-source a")).to_have_count(1)
    bot = tab.page.locator(".pda-msg-bot")
    await expect(bot).to_have_count(1)  # the three parts Rasa sends are one answer
    await expect(bot).to_contain_text(ANSWER_PARTS[0])
    await expect(bot.locator("strong")).to_have_text("Who can see them")
    await expect(bot.locator("li")).to_have_count(2)
    source = tab.page.locator(".pda-source a")
    await expect(source).to_have_attribute("href", "https://ico.org.uk/for-the-public/")
    await expect(source).to_have_attribute("target", "_blank")
    await expect(source).to_have_attribute("rel", "noopener noreferrer")
    await expect(source).to_contain_text("Your data protection rights (ICO)")
    await expect(tab.page.locator(".pda-typing")).to_be_hidden()
    await expect(tab.page.get_by_role("group", name="Choices").get_by_role("button")).to_have_count(2)

    stored = await tab.storage()
    assert stored["sessionKeys"] == ["pda.session_id"] and stored["localKeys"] == [], stored
    session_id = await tab.page.evaluate("sessionStorage.getItem('pda.session_id')")
    assert fake_rasa.received == [{"message": "who can see my records", "session_id": session_id}]
    assert fake_rasa.session_requests[0] == {"session_id": session_id}
    assert not tab.errors, tab.errors


async def test_typing_indicator_shows_while_waiting(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    await tab.say("silence")  # the fake never answers this
    await expect(tab.page.locator(".pda-typing")).to_be_visible()
    await expect(tab.page.locator(".pda-typing")).to_contain_text("The assistant is typing")


async def test_a_choice_button_sends_its_payload_and_shows_its_title(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    await tab.ask_and_wait()
    await tab.page.get_by_role("button", name="See my data").click()
    await fake_rasa.wait_for(lambda: len(fake_rasa.received) == 2)
    assert fake_rasa.received[1]["message"] == "/see_my_data"
    await expect(tab.page.locator(".pda-msg-user").nth(1)).to_have_text("You said: See my data")
    await expect(tab.page.locator(".pda-msg-bot").nth(1)).to_contain_text(SEE_MY_DATA_REPLY)
    await expect(tab.page.get_by_role("button", name="Talk to a person")).to_be_disabled()
    await expect(tab.page.locator("#pda-input")).to_be_focused()


async def test_bad_input_is_refused_or_cleaned(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    await tab.say("   ")
    await expect(tab.page.locator("#pda-status")).to_have_text("Please type a question first.")
    await tab.say("helo\u0007 ŵ ŷ 👪 <b>hi</b>")
    await fake_rasa.wait_for(lambda: len(fake_rasa.received) == 1)
    assert fake_rasa.received[0]["message"] == "helo ŵ ŷ 👪 <b>hi</b>"
    await expect(tab.page.locator(".pda-msg-user")).to_have_text("You said: helo ŵ ŷ 👪 <b>hi</b>")
    await expect(tab.page.locator(".pda-msg-user b")).to_have_count(0)
    await tab.page.evaluate("document.getElementById('pda-input').value = 'x'.repeat(5000)")
    await tab.page.keyboard.press("Enter")
    await fake_rasa.wait_for(lambda: len(fake_rasa.received) == 2)
    assert len(fake_rasa.received[1]["message"]) == 1000


async def test_hostile_bot_text_is_shown_as_text(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    await tab.say("hostile")
    bot = tab.page.locator(".pda-msg-bot")
    await expect(bot).to_contain_text("<img src=x onerror=")
    await expect(bot.locator("strong")).to_have_text("still bold")
    assert await bot.locator("img, script").count() == 0
    assert await bot.locator("a").count() == 0  # the javascript: link stays text
    assert await tab.page.evaluate("window.__pwned") is None


async def test_the_data_map_picture_shows_with_its_text_alternative(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    await tab.say("data map")
    picture = tab.page.locator(".pda-msg-bot figure.pda-map img")
    await expect(picture).to_have_count(1)
    alt = await picture.get_attribute("alt")
    assert alt and "Housing system" in alt
    # it loads (a data: image the page's Content-Security-Policy allows), and draws at its size
    await tab.page.wait_for_function(
        "() => { const i = document.querySelector('.pda-map img'); return i && i.complete && i.naturalWidth > 0; }",
        timeout=5000,
    )
    assert not tab.errors  # no Content-Security-Policy violation


async def quick_exit_checks(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.page.wait_for_url(re.compile(r"/neutral\.html$"))
    assert await tab.storage() == {"session": 0, "local": 0, "cookie": "", "sessionKeys": [], "localKeys": []}
    await fake_rasa.wait_for(lambda: fake_rasa.disconnects >= 1)
    text = (await tab.page.locator("body").inner_text()).lower()
    for word in ("family", "council", "record", "chat", "assistant"):
        assert word not in text
    await tab.page.go_back()
    assert "neutral" in tab.page.url or tab.page.url == "about:blank"
    assert not tab.page.url.rstrip("/").endswith(tab.base.split("//")[1]), "Back returned to the council page"


async def test_quick_exit_button_leaves_nothing_behind(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    await tab.ask_and_wait()
    await tab.page.evaluate("localStorage.setItem('pda.leftover', 'x')")
    exit_link = tab.page.get_by_role("link", name="Leave this site quickly")
    await expect(exit_link).to_be_visible()
    await exit_link.click()
    await quick_exit_checks(tab, fake_rasa)


async def test_the_quick_exit_goes_to_the_councils_outside_site_and_back_does_not_return(
    browser: Any, fake_rasa: FakeRasa, reference_dir: Path
) -> None:
    """With no --exit-url the exit is council.yml's quick_exit_url, a site outside the council's. Playwright answers
    for that site itself, so nothing leaves this machine."""
    exit_url = content().council.quick_exit_url
    assert not exit_url.startswith("/"), "the shipped default must be a site outside the council's"
    async with serve_site(fake_rasa.url, reference_dir, exit_url=None) as base:
        context = await browser.new_context(viewport=PHONE)
        outside: list[str] = []

        async def stand_in(route: Any) -> None:
            outside.append(route.request.url)
            await route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><p>Sunny.</p>")

        await context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), stand_in)
        tab = Tab(await context.new_page(), base)
        await tab.open_chat()
        await tab.ask_and_wait()
        await tab.page.get_by_role("link", name="Leave this site quickly").click()
        await tab.page.wait_for_url(exit_url)
        assert outside == [exit_url]
        assert await tab.page.evaluate("sessionStorage.length") == 0
        await tab.page.go_back()
        assert not tab.page.url.startswith(base), "Back returned to the council page"
        await context.close()


async def test_the_chat_links_to_how_to_keep_a_visit_private(tab: Tab) -> None:
    await tab.open_chat()
    link = tab.log.get_by_role("link", name="Keep your visit private")
    await expect(link).to_have_attribute("href", "/covering-your-tracks.html")
    async with tab.page.context.expect_page() as opened:
        await link.click()
    page = await opened.value
    await page.wait_for_load_state()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Keep your visit private")
    await expect(page.get_by_role("link", name="Leave this site quickly")).to_have_attribute("href", "/neutral.html")


async def test_escape_twice_leaves_and_escape_once_does_not(tab: Tab, fake_rasa: FakeRasa) -> None:
    await tab.open_chat()
    await tab.ask_and_wait()
    await tab.page.keyboard.press("Escape")
    await tab.page.wait_for_timeout(1100)
    await tab.page.keyboard.press("Escape")
    await tab.page.wait_for_timeout(200)
    assert tab.page.url == tab.base + "/", "two Escapes more than a second apart must not leave"
    await tab.page.keyboard.press("Escape")
    await quick_exit_checks(tab, fake_rasa)


async def test_reconnects_politely_after_the_server_drops_the_connection(
    tab: Tab, fake_rasa: FakeRasa
) -> None:
    await tab.open_chat()
    await tab.ask_and_wait()
    await fake_rasa.kick_everyone()
    status = tab.page.locator("#pda-status")
    await expect(status).to_contain_text("Sorry, we lost the connection")
    await expect(status).to_contain_text("Connected again", timeout=8000)
    assert fake_rasa.connects == 2
    await tab.say("/see_my_data")
    await expect(tab.page.locator(".pda-msg-bot").nth(1)).to_contain_text(SEE_MY_DATA_REPLY)
    await expect(tab.page.locator(".pda-msg-user")).to_have_count(2)  # the conversation stays on the page


async def test_a_fixed_channel_resumes_the_same_session(browser: Any, reference_dir: Path) -> None:
    async with (
        serve_fake_rasa(join_rooms=True) as fake,
        serve_site(fake.url, reference_dir, resume_sessions=True) as base,
    ):
        context = await browser.new_context(viewport=DESKTOP)
        tab = Tab(await context.new_page(), base)
        await tab.open_chat()
        await tab.ask_and_wait()
        first = await tab.page.evaluate("sessionStorage.getItem('pda.session_id')")
        await fake.kick_everyone()
        await expect(tab.page.locator("#pda-status")).to_have_text("Connected again.", timeout=8000)
        assert fake.session_requests[-1] == {"session_id": first}
        await tab.say("/see_my_data")
        await expect(tab.page.locator(".pda-msg-bot").nth(1)).to_contain_text(SEE_MY_DATA_REPLY)
        assert fake.received[-1] == {"message": "/see_my_data", "session_id": first}
        await context.close()


async def test_no_server_means_a_clear_message_not_a_crash(browser: Any, reference_dir: Path) -> None:
    async with serve_fake_rasa() as fake:
        dead_url = fake.url
    async with serve_site(dead_url, reference_dir) as base:
        context = await browser.new_context(viewport=DESKTOP)
        tab = Tab(await context.new_page(), base)
        await tab.open_chat()
        await tab.say("hello")
        await expect(tab.page.locator(".pda-msg-user")).to_have_text("You said: hello")
        await expect(tab.page.locator("#pda-status")).to_contain_text(
            re.compile("Not connected yet|lost the connection")
        )
        await context.close()


async def test_keyboard_only(tab: Tab, fake_rasa: FakeRasa) -> None:
    page = tab.page
    await page.goto(tab.base + "/")
    order = []
    for _ in range(30):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "document.activeElement.id || document.activeElement.textContent.trim()"
        )
        order.append(focused)
        if focused == "pda-launcher":
            break
    assert order[:2] == ["Skip to main content", "Leave this site quickly"], order
    assert order[-1] == "pda-launcher", order
    await page.keyboard.press("Enter")
    await expect(page.locator("#pda-input")).to_be_focused()
    await page.keyboard.type("who can see my records")
    await page.keyboard.press("Enter")
    await expect(page.locator(".pda-choice")).to_have_count(2)
    for _ in range(10):
        await page.keyboard.press("Shift+Tab")
        if await page.evaluate("document.activeElement.textContent") == "Talk to a person":
            break
    outline = await page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]; })()"
    )
    assert outline[0] == "solid" and outline[1] == "3px" and outline[2] == "rgb(255, 221, 0)", outline
    assert "rgb(11, 12, 12)" in outline[3], outline
    await page.keyboard.press("Enter")
    await fake_rasa.wait_for(lambda: len(fake_rasa.received) == 2)
    assert fake_rasa.received[1]["message"] == "/talk_to_person"


def screenshot_dir(tmp_path: Path) -> Path:
    return Path(os.environ.get("PDA_SCREENSHOT_DIR", tmp_path))


@pytest.mark.parametrize("viewport", [PHONE, ZOOM_200, DESKTOP], ids=["320px", "200pct-zoom", "desktop"])
async def test_layout_fits_without_sideways_scrolling(
    browser: Any, site: str, fake_rasa: FakeRasa, viewport: dict[str, int], tmp_path: Path
) -> None:
    context = await browser.new_context(viewport=viewport)
    tab = Tab(await context.new_page(), site)
    await tab.open_chat()
    await tab.ask_and_wait()
    page = tab.page
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"page scrolls sideways: {width} > {viewport['width']}"
    for selector in ("#pda-panel", "#pda-input", ".pda-send"):
        box = await page.locator(selector).bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5, selector
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5, selector
    # The quick exit stays visible and on top while the chat is open.
    exit_box = await page.get_by_role("link", name="Leave this site quickly").bounding_box()
    assert exit_box is not None
    on_top = await page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('[data-pda-quick-exit]') !== null",
        [exit_box["x"] + exit_box["width"] / 2, exit_box["y"] + exit_box["height"] / 2],
    )
    assert on_top, "the quick exit is covered"
    name = "{width}x{height}".format(**viewport)
    await page.screenshot(path=str(screenshot_dir(tmp_path) / f"widget-{name}.png"))
    assert not tab.errors, tab.errors
    await context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "320px"])
async def test_axe_finds_no_wcag_violations_with_a_conversation_open(
    browser: Any, site: str, fake_rasa: FakeRasa, axe_source: str, viewport: dict[str, int]
) -> None:
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    await page.add_init_script(script=axe_source)  # injected by the browser, so the page's CSP still applies
    tab = Tab(page, site)
    await tab.open_chat()
    await tab.ask_and_wait()
    await page.keyboard.press("Tab")
    assert await axe_violations(page) == []
    assert not tab.errors, tab.errors
    await context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/reference/",
        "/reference/topics/private_companies.html",
        "/reference/register/algorithms.html",
        "/reference/register/purposes.html",
        "/reference/cy/",
        "/reference/cy/topics/private_companies.html",
        "/reference/cy/register/algorithms.html",
        "/reference/cy/register/purposes.html",
        "/neutral.html",
        "/covering-your-tracks.html",
    ],
)
async def test_axe_finds_no_wcag_violations_on_the_reference_site(
    browser: Any, site: str, axe_source: str, path: str
) -> None:
    for viewport in (DESKTOP, PHONE):
        context = await browser.new_context(viewport=viewport)
        page = await context.new_page()
        await page.add_init_script(script=axe_source)
        await page.goto(site + path)
        assert await axe_violations(page) == [], f"{path} at {viewport}"
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways at {viewport}"
        await context.close()


async def test_reference_search_works_offline_in_the_page(browser: Any, site: str) -> None:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await page.goto(site + "/reference/index.html")
    search = page.get_by_label("Search topics")
    await search.fill("risk score")
    results = page.locator("#search-results a")
    await expect(results.first).to_be_visible()
    assert "Risk scores" in await results.first.inner_text()
    await expect(page.locator("#search-status")).to_contain_text("found")
    await expect(page.locator("#topic-list")).to_be_hidden()
    # A Welsh word ("private") in some topics' example questions, and in nothing else a topic page shows
    welsh = [t.title for t in content().topics if "preifat" in " ".join(t.examples).lower()]
    assert welsh
    await search.fill("preifat")
    await expect(results).to_have_count(len(welsh))
    found = await results.all_inner_texts()
    assert all(any(title in text for text in found) for title in welsh), (welsh, found)
    await search.fill("zzqxv")
    await expect(page.locator("#search-status")).to_have_text(re.compile("^No topics found"))
    await search.fill("")
    await expect(page.locator("#topic-list")).to_be_visible()
    assert all(url.startswith(site) for url in requests), "the reference site must not load anything remote"
    await context.close()


async def test_the_welsh_reference_search_answers_in_welsh(browser: Any, site: str) -> None:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await page.goto(site + "/reference/cy/index.html")
    search = page.get_by_label("Chwilio'r pynciau")
    await search.fill("cwyno")  # "complain": in the Welsh text of the complaint topics
    results = page.locator("#search-results a")
    await expect(results.first).to_be_visible()
    found = await results.all_inner_texts()
    assert content().title("complain_ico", "cy") in found, found
    await expect(page.locator("#search-status")).to_contain_text("wedi'u canfod")
    await search.fill("zzqxv")
    await expect(page.locator("#search-status")).to_have_text(re.compile("^Dim pwnc wedi'i ganfod"))
    await page.get_by_role("link", name="English").click()
    await expect(page).to_have_url(site + "/reference/index.html")
    assert await page.locator("html").get_attribute("lang") == "en-GB"
    await context.close()


@pytest.mark.e2e
async def test_with_a_real_rasa_server(browser: Any, reference_dir: Path, request: pytest.FixtureRequest) -> None:
    """Against a real Rasa: PDA_RASA_URL if set, else the servers the e2e tests start (this repo's model)."""
    rasa_url = os.environ.get("PDA_RASA_URL") or request.getfixturevalue("servers")[0].base
    async with serve_site(rasa_url, reference_dir) as base:
        context = await browser.new_context(viewport=DESKTOP)
        tab = Tab(await context.new_page(), base)
        await tab.open_chat()
        await tab.say("hello")
        await expect(tab.page.locator(".pda-msg-bot").first).to_be_visible(timeout=20000)
        await tab.say("who can see my child's school records")
        await expect(tab.page.locator(".pda-msg-bot")).to_have_count(2, timeout=20000)
        await expect(tab.page.locator(".pda-msg-bot").nth(1)).to_contain_text("Source:", timeout=20000)
        await tab.page.get_by_role("link", name="Leave this site quickly").click()
        await tab.page.wait_for_url(re.compile(r"/neutral\.html$"))
        assert (await tab.storage())["session"] == 0
        assert not tab.errors, tab.errors
        await context.close()
