"""The demo council web page with the chat widget, and the reference site for peer support workers.

    python -m bot.channels.webserver --port 8080 --rasa-url http://127.0.0.1:5005 [--exit-url URL]

Routes
  /                  "Example Borough Council" family services page with the chat widget
  /covering-your-tracks.html   how to keep a visit private (private windows, history), linked from the chat
  /neutral.html      a plain page with nothing about family services (a quick-exit target on this host)

"Leave this site quickly" goes to --exit-url, by default `quick_exit_url` in content/council.yml (a common site
outside the council's, so the browser's history shows an everyday page).
  /config.js         window.PDA_CONFIG = {socketUrl, socketPath, exitUrl, resumeSessions, languages}, read by the widget
  /static/*          the widget and page files in bot/channels/web/
  /reference/*       the reference site (bot.content.reference), built into reference_dir at start if missing
  /health            {"status": "ok"}, for whoever starts this server
  /phone             the phone simulator (SMS and WhatsApp side by side), only with --phone-demo: bot/channels/phone.py

Binds 127.0.0.1 only. Every response carries a strict Content-Security-Policy (scripts, styles and
connections to this server only, plus the Rasa Socket.IO origin in connect-src), nosniff and no referrer.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

from bot.content import messages
from bot.content.loader import REPO_ROOT, ContentError, content
from bot.content.models import check_exit_url
from bot.content.reference import build_reference

if TYPE_CHECKING:  # the simulator imports Rasa's channel code: only loaded in demo mode
    from bot.channels.phone import PhoneSimulator

HOST = "127.0.0.1"
WEB_DIR = Path(__file__).with_name("web")
DEFAULT_REFERENCE_DIR = REPO_ROOT / "build" / "reference"
TRACKS_PAGE = "/covering-your-tracks.html"
# The quick exit link as the pages ship it (without JavaScript it goes here); served with the configured address.
SHIPPED_EXIT_LINK = 'href="/neutral.html" rel="noreferrer" data-pda-quick-exit'
SOCKET_PATH = "/socket.io/"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

log = logging.getLogger(__name__)

CONFIG_KEY = web.AppKey("pda_config", dict)
REFERENCE_KEY = web.AppKey("pda_reference_dir", Path)


def socket_origins(rasa_url: str) -> tuple[str, str]:
    """http://host:5005 -> ('http://host:5005', 'ws://host:5005'); raises ValueError on anything else."""
    parts = urlsplit(rasa_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"rasa_url must be an http(s) URL such as http://127.0.0.1:5005, not {rasa_url!r}")
    if parts.username or parts.password or any(c in parts.netloc for c in " '\";,"):
        raise ValueError(f"rasa_url must not carry user names, passwords or odd characters: {rasa_url!r}")
    origin = f"{parts.scheme}://{parts.netloc}"
    ws_scheme = "wss" if parts.scheme == "https" else "ws"
    return origin, f"{ws_scheme}://{parts.netloc}"


def content_security_policy(rasa_url: str) -> str:
    http_origin, ws_origin = socket_origins(rasa_url)
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",  # data: for the family's data map, an SVG drawn by the server
            "font-src 'self'",
            f"connect-src 'self' {http_origin} {ws_origin}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "manifest-src 'self'",
        ]
    )


def language_buttons() -> list[dict[str, str]]:
    """The web chat's language buttons, one per language: its name in itself ("Cymraeg", "English"), which is also
    the word the button sends, a switch word the assistant always obeys (bot/nlp/language.py)."""
    return [{"lang": lang, "label": messages.say("language.language_name", lang)} for lang in ("cy", "en")]


def config_script(socket_url: str, exit_url: str, resume_sessions: bool = False) -> str:
    config = {
        "socketUrl": socket_url,
        "socketPath": SOCKET_PATH,
        "exitUrl": exit_url,
        "resumeSessions": resume_sessions,
        "languages": language_buttons(),
    }
    data = json.dumps(config, ensure_ascii=True, sort_keys=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.PDA_CONFIG = Object.freeze({data});\n"


TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
}


def _file_response(path: Path, *, no_store: bool = False) -> web.FileResponse:
    response = web.FileResponse(path)
    if path.suffix in TEXT_TYPES:
        response.headers["Content-Type"] = TEXT_TYPES[path.suffix]
    if no_store:
        response.headers["Cache-Control"] = "no-store"
    return response


def page_with_exit(name: str, exit_url: str) -> str:
    """A page of WEB_DIR with its quick exit link pointing at exit_url (it works before the widget loads)."""
    html = (WEB_DIR / name).read_text(encoding="utf-8")
    if html.count(SHIPPED_EXIT_LINK) != 1:
        raise ContentError(f"bot/channels/web/{name}: expected one quick exit link ({SHIPPED_EXIT_LINK})")
    href = exit_url.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    return html.replace(SHIPPED_EXIT_LINK, SHIPPED_EXIT_LINK.replace("/neutral.html", href))


def _page(name: str):  # noqa: ANN202 - aiohttp handler factory
    async def handler(request: web.Request) -> web.Response:
        # no-store keeps the page (and the conversation in it) out of the back-forward cache and disk cache.
        return web.Response(
            text=page_with_exit(name, request.app[CONFIG_KEY]["exit_url"]),
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )

    return handler


index = _page("index.html")


async def neutral(request: web.Request) -> web.StreamResponse:
    return _file_response(WEB_DIR / "neutral.html")


async def config_js(request: web.Request) -> web.Response:
    config = request.app[CONFIG_KEY]
    return web.Response(
        text=config_script(config["socket_url"], config["exit_url"], config["resume_sessions"]),
        content_type="application/javascript",
        charset="utf-8",
        headers={"Cache-Control": "no-store"},
    )


async def no_favicon(request: web.Request) -> web.Response:
    # Browsers ask for one; an icon could give the site away after a quick exit, so there is none.
    return web.Response(status=204)


async def no_phone(request: web.Request) -> web.Response:
    return web.Response(
        status=404,
        text="The phone simulator runs only in demo mode: `make run` with no SMS or WhatsApp settings in "
        "credentials.yml and no Twilio or Meta secret in the environment (docs/channels.md).",
    )


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _inside(base: Path, rel: str) -> Path | None:
    """base/rel if it is a file inside base (directories give their index.html), else None."""
    if "\x00" in rel or "\\" in rel:
        return None
    try:
        root = base.resolve()
        path = (root / rel.lstrip("/")).resolve()
        path.relative_to(root)
    except (ValueError, OSError, RuntimeError):
        return None
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


async def reference(request: web.Request) -> web.StreamResponse:
    path = _inside(request.app[REFERENCE_KEY], request.match_info.get("path", ""))
    if path is None:
        raise web.HTTPNotFound(text="Not found")
    return _file_response(path)


async def reference_root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/reference/")


async def static(request: web.Request) -> web.StreamResponse:
    path = _inside(WEB_DIR, request.match_info.get("path", ""))
    if path is None or path.suffix not in {".js", ".css", ".svg", ".png", ".ico", ".woff2"}:
        raise web.HTTPNotFound(text="Not found")
    return _file_response(path)


def security_headers_middleware(csp: str):  # noqa: ANN201 - aiohttp middleware factory
    @web.middleware
    async def security_headers(request: web.Request, handler) -> web.StreamResponse:  # noqa: ANN001
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if isinstance(response, web.HTTPException):
            raise response
        return response

    return security_headers


def ensure_reference(reference_dir: Path, rebuild: bool = False) -> None:
    if rebuild or not (reference_dir / "index.html").is_file():
        paths = build_reference(reference_dir)
        log.info("Built the reference site: %d files in %s", len(paths), reference_dir)


def create_app(
    rasa_url: str,
    reference_dir: Path = DEFAULT_REFERENCE_DIR,
    exit_url: str | None = None,
    *,
    rebuild_reference: bool = False,
    resume_sessions: bool = False,
    phone: PhoneSimulator | None = None,
) -> web.Application:
    """The web app. Raises ValueError for a bad rasa_url or exit_url, ContentError if content is broken.

    exit_url: where "Leave this site quickly" goes; None for `quick_exit_url` in content/council.yml.

    resume_sessions: let the widget ask Rasa for its stored session id after a reconnect or reload. Only turn
    it on when Rasa's socketio channel awaits enter_room() (RasaHQ/rasa#13027): Rasa 3.6.21 with
    python-socketio 5.18 does not, and replies to a resumed session are then lost.

    phone: the phone simulator (demo mode of `make run`), served at /phone with its Twilio and Graph stand-ins.
    """
    http_origin, _ = socket_origins(rasa_url)
    exit_url = check_exit_url(content().council.quick_exit_url if exit_url is None else exit_url)
    reference_dir = Path(reference_dir)
    ensure_reference(reference_dir, rebuild=rebuild_reference)

    app = web.Application(middlewares=[security_headers_middleware(content_security_policy(rasa_url))])
    app[CONFIG_KEY] = {"socket_url": http_origin, "exit_url": exit_url, "resume_sessions": resume_sessions}
    app[REFERENCE_KEY] = reference_dir
    app.router.add_get("/", index)
    app.router.add_get("/index.html", index)
    app.router.add_get("/neutral.html", neutral)
    app.router.add_get(TRACKS_PAGE, _page(TRACKS_PAGE.lstrip("/")))
    app.router.add_get("/config.js", config_js)
    app.router.add_get("/health", health)
    app.router.add_get("/favicon.ico", no_favicon)
    app.router.add_get("/static/{path:.+}", static)
    app.router.add_get("/reference", reference_root)
    app.router.add_get("/reference/{path:.*}", reference)
    if phone is not None:
        from bot.channels.phone import add_routes

        add_routes(app, phone)
    else:
        app.router.add_get("/phone", no_phone)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.webserver",
        description="Serve the demo council page with the chat widget, and the reference site, on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--rasa-url", default="http://127.0.0.1:5005", help="where Rasa's socketio channel listens"
    )
    parser.add_argument(
        "--exit-url", default=None, help="where 'Leave this site quickly' goes (default: quick_exit_url in council.yml)"
    )
    parser.add_argument("--reference-dir", type=Path, default=DEFAULT_REFERENCE_DIR)
    parser.add_argument(
        "--rebuild-reference", action="store_true", help="rebuild the reference site at start"
    )
    parser.add_argument(
        "--resume-sessions",
        action="store_true",
        help="resume the Rasa session after a reconnect or reload (needs a socketio channel that awaits "
        "enter_room, see docs/web.md)",
    )
    parser.add_argument(
        "--phone-demo",
        type=Path,
        default=None,
        metavar="SECRETS_JSON",
        help="serve the phone simulator at /phone with these demo secrets (make run does, in demo mode)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        phone = None
        if args.phone_demo is not None:
            from bot.channels.phone import DemoSecrets, PhoneSimulator

            phone = PhoneSimulator(DemoSecrets.load_or_make(args.phone_demo), args.rasa_url)
        app = create_app(
            args.rasa_url,
            args.reference_dir,
            args.exit_url,
            rebuild_reference=args.rebuild_reference,
            resume_sessions=args.resume_sessions,
            phone=phone,
        )
    except (ValueError, ContentError, OSError) as exc:
        print(f"Cannot start the web server: {exc}", file=sys.stderr)
        return 2
    print(f"Web page on http://{HOST}:{args.port}/ (Rasa at {args.rasa_url}). Ctrl-C stops it.", flush=True)
    try:
        web.run_app(app, host=HOST, port=args.port, print=None, access_log=None)
    except OSError as exc:
        print(f"Cannot start the web server on port {args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
