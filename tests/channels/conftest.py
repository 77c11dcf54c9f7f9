"""Fixtures for the channel tests (the fakes themselves are in channel_fakes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from channel_fakes import FakeBot, FakeGraph, FakeTwilio, serve_aiohttp


@pytest.fixture
def bot() -> FakeBot:
    return FakeBot()


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    fake = FakeTwilio()
    app = web.Application()
    app.router.add_post("/2010-04-01/Accounts/{account_sid}/Messages.json", fake.create_message)
    async with serve_aiohttp(app) as url:
        fake.base_url = url
        yield fake


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph()
    app = web.Application()
    app.router.add_post("/{version}/{phone_number_id}/messages", fake.messages)
    async with serve_aiohttp(app) as url:
        fake.base_url = url
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
