"""The web server: pages, headers, config.js, the reference site, and the command line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.webserver import (
    WEB_DIR,
    check_exit_url,
    config_script,
    content_security_policy,
    create_app,
    socket_origins,
)
from bot.content.loader import REPO_ROOT, content
from bot.server import free_port

RASA = "http://127.0.0.1:5005"


@pytest.fixture
async def client(reference_dir: Path) -> AsyncIterator[TestClient]:
    app = create_app(RASA, reference_dir, "/neutral.html")
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


async def test_demo_page_has_the_widget_the_quick_exit_and_the_privacy_link(client: TestClient) -> None:
    response = await client.get("/")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    html = await response.text()
    assert '<html lang="en-GB">' in html
    assert "Example Borough Council" in html
    assert '<script src="/config.js"></script>' in html and '<script src="/static/widget.js" defer>' in html
    assert "data-pda-quick-exit" in html and "Leave this site quickly" in html
    assert 'href="/reference/topics/assistant_privacy.html"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline scripts"
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "no third-party resources"


async def test_the_quick_exit_goes_to_the_councils_setting_by_default(reference_dir: Path) -> None:
    exit_url = content().council.quick_exit_url
    assert exit_url == "https://www.bbc.co.uk/weather"  # shipped in content/council.yml: a site outside the council's
    async with TestClient(TestServer(create_app(RASA, reference_dir), host="127.0.0.1")) as client:
        config = (await (await client.get("/config.js")).text()).split("Object.freeze(", 1)[1].rsplit(");", 1)[0]
        assert json.loads(config)["exitUrl"] == exit_url
        for page in ("/", "/covering-your-tracks.html"):
            html = await (await client.get(page)).text()
            assert f'href="{exit_url}" rel="noreferrer" data-pda-quick-exit' in html, page  # works without JS


async def test_an_exit_address_cannot_break_out_of_the_page(reference_dir: Path) -> None:
    app = create_app(RASA, reference_dir, 'https://x.example/?a="><script>alert(1)</script>&b')
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        html = await (await client.get("/")).text()
    assert "<script>alert" not in html
    assert 'href="https://x.example/?a=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;b"' in html


def test_council_yml_refuses_an_exit_address_that_is_not_a_web_address() -> None:
    from pydantic import ValidationError

    from bot.content.models import Council

    council = content().council.dict()
    for bad in ("javascript:alert(1)", "//evil.example", "weather"):
        with pytest.raises(ValidationError, match="exit_url"):
            Council.parse_obj({**council, "quick_exit_url": bad})
    assert Council.parse_obj({**council, "quick_exit_url": "/neutral.html"}).quick_exit_url == "/neutral.html"


async def test_the_covering_your_tracks_page_is_plain_and_linked_from_the_page_and_chat(client: TestClient) -> None:
    response = await client.get("/covering-your-tracks.html")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = await response.text()
    text = re.sub(r"<[^>]+>", " ", html)
    for words in ("private window", "history", "Delete only the pages from this site", "999", "Esc twice"):
        assert words in text, words
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline scripts"
    assert 'href="/covering-your-tracks.html"' in await (await client.get("/")).text()
    assert '"/covering-your-tracks.html"' in (WEB_DIR / "widget.js").read_text(encoding="utf-8")


async def test_every_response_has_the_security_headers(client: TestClient) -> None:
    paths = ("/", "/neutral.html", "/covering-your-tracks.html", "/config.js", "/static/widget.js", "/reference/")
    for path in (*paths, "/nope", "/health"):
        response = await client.get(path, allow_redirects=False)
        csp = csp_directives(response.headers["Content-Security-Policy"])
        assert csp["default-src"] == ["'none'"], path
        assert csp["script-src"] == ["'self'"], path
        assert csp["style-src"] == ["'self'"], path
        assert csp["connect-src"] == ["'self'", "http://127.0.0.1:5005", "ws://127.0.0.1:5005"], path
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], path
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["X-Frame-Options"] == "DENY", path


async def test_config_js(client: TestClient) -> None:
    response = await client.get("/config.js")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert response.headers["Cache-Control"] == "no-store"
    text = await response.text()
    match = re.fullmatch(r"window\.PDA_CONFIG = Object\.freeze\((\{.*\})\);\n", text)
    assert match, text
    assert json.loads(match.group(1)) == {
        "socketUrl": "http://127.0.0.1:5005",
        "socketPath": "/socket.io/",
        "exitUrl": "/neutral.html",
        "resumeSessions": False,
        "languages": [{"lang": "cy", "label": "Cymraeg"}, {"lang": "en", "label": "English"}],
    }


def test_config_js_cannot_be_broken_out_of() -> None:
    script = config_script("http://127.0.0.1:5005", "https://example.org/</script><script>alert(1)//&")
    assert "</script>" not in script and "<" not in script and "&" not in script
    data = json.loads(script.split("Object.freeze(", 1)[1].rsplit(");", 1)[0])
    assert data["exitUrl"] == "https://example.org/</script><script>alert(1)//&"


async def test_neutral_page_says_nothing_about_family_services(client: TestClient) -> None:
    response = await client.get("/neutral.html")
    assert response.status == 200
    html = (await response.text()).lower()
    for word in ("family", "families", "council", "record", "chat", "assistant", "pda", "widget", "child"):
        assert word not in html, word
    assert "<script" not in html


async def test_static_files_and_nothing_else(client: TestClient) -> None:
    for name, kind in (
        ("widget.js", "application/javascript"),
        ("widget.css", "text/css"),
        ("page.css", "text/css"),
    ):
        response = await client.get(f"/static/{name}")
        assert response.status == 200, name
        assert response.headers["Content-Type"].startswith(kind), name
        assert await response.read() == (WEB_DIR / name).read_bytes()
    for path in (
        "/static/index.html",
        "/static/../webserver.py",
        "/static/%2e%2e/webserver.py",
        "/static/%2e%2e/%2e%2e/content/reference.py",
        "/static/nope.js",
        "/static/%00.js",
    ):
        response = await client.get(path)
        assert response.status == 404, path


async def test_reference_site_is_served_and_cannot_be_escaped(
    client: TestClient, reference_dir: Path
) -> None:
    response = await client.get("/reference", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/reference/"
    response = await client.get("/reference/")
    assert response.status == 200
    assert await response.read() == (reference_dir / "index.html").read_bytes()
    response = await client.get("/reference/topics/assistant_privacy.html")
    assert response.status == 200
    assert "How this assistant handles your chat" in await response.text()
    assert (await client.get("/reference/assets/search.js")).status == 200
    for path in (
        "/reference/%2e%2e/%2e%2e/pyproject.toml",
        "/reference/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/reference/topics/nope.html",
        "/reference/..%2f..%2fpyproject.toml",
    ):
        response = await client.get(path)
        assert response.status == 404, path


async def test_health_and_favicon(client: TestClient) -> None:
    assert await (await client.get("/health")).json() == {"status": "ok"}
    assert (await client.get("/favicon.ico")).status == 204


def test_reference_is_built_when_missing_and_left_alone_when_present(tmp_path: Path) -> None:
    target = tmp_path / "reference"
    create_app(RASA, target)
    index = target / "index.html"
    assert index.is_file() and (target / "topics" / "assistant_privacy.html").is_file()
    index.write_text("kept", encoding="utf-8")
    create_app(RASA, target)
    assert index.read_text(encoding="utf-8") == "kept"
    create_app(RASA, target, rebuild_reference=True)
    assert index.read_text(encoding="utf-8") != "kept"


@pytest.mark.parametrize(
    "bad", ["", "javascript:alert(1)", "ftp://x", "127.0.0.1:5005", "http://", "http://a b", "http://u:p@h:1"]
)
def test_bad_rasa_urls_are_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="rasa_url"):
        create_app(bad, tmp_path)


def test_socket_origins_and_csp() -> None:
    assert socket_origins("https://bot.example.gov.uk/") == (
        "https://bot.example.gov.uk",
        "wss://bot.example.gov.uk",
    )
    csp = content_security_policy("http://127.0.0.1:5005/some/path")
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005;" in csp


@pytest.mark.parametrize(
    "bad",
    ["javascript:alert(1)", "//evil.example", "data:text/html,x", "neutral.html", "", "/\\evil.example"],
)
def test_bad_exit_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="exit_url"):
        check_exit_url(bad)


@pytest.mark.parametrize(
    "good", ["/neutral.html", "https://www.bbc.co.uk/weather", "http://127.0.0.1:9/x?y=1"]
)
def test_good_exit_urls_are_kept(good: str) -> None:
    assert check_exit_url(good) == good


def test_command_line_serves_on_loopback_and_stops_cleanly_on_ctrl_c(reference_dir: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.channels.webserver",
            "--port",
            str(port),
            "--rasa-url",
            RASA,
            "--reference-dir",
            str(reference_dir),
            "--exit-url",
            "https://www.bbc.co.uk/weather",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/config.js", timeout=1) as response:
                    assert "https://www.bbc.co.uk/weather" in response.read().decode()
                    break
            except OSError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the web server did not start"
                time.sleep(0.1)
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        local_addresses = [line.split()[3] for line in listening.splitlines() if line.strip()]
        assert local_addresses == [f"127.0.0.1:{port}"], listening
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "Traceback" not in err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_command_line_refuses_bad_settings_with_a_clear_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.channels.webserver", "--rasa-url", "javascript:alert(1)"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "Cannot start the web server: rasa_url must be an http(s) URL" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_phone_simulator_is_served_only_in_demo_mode(client: TestClient, reference_dir: Path) -> None:
    response = await client.get("/phone")
    assert response.status == 404 and "demo mode" in await response.text()
    from bot.channels.phone import DemoSecrets, PhoneSimulator

    phone = PhoneSimulator(DemoSecrets.make(), RASA)
    app = create_app(RASA, reference_dir, "/neutral.html", phone=phone)
    async with TestClient(TestServer(app, host="127.0.0.1")) as demo:
        page = await demo.get("/phone")
        assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
        assert csp_directives(page.headers["Content-Security-Policy"])["script-src"] == ["'self'"]
        html = await page.text()
        assert '<script src="/static/phone.js" defer></script>' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline scripts"
        for static in ("/static/phone.js", "/static/phone.css"):
            assert (await demo.get(static)).status == 200
        thread = await (await demo.get("/phone/api/thread?after=-1")).json()
        assert thread["sms"]["messages"] == [] and thread["whatsapp"]["messages"] == []
