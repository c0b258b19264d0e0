"""Typed application keys shared by the composition root and the handlers."""

from __future__ import annotations

from aiohttp import web

from issuer.config import IssuerConfig
from issuer.service import IssuerService

CONFIG_KEY = web.AppKey("config", IssuerConfig)
SERVICE_KEY = web.AppKey("service", IssuerService)
