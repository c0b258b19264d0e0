"""Typed application keys shared by the composition root and the handlers."""

from __future__ import annotations

from aiohttp import web

from verifier.config import VerifierConfig
from verifier.service import VerifierService

CONFIG_KEY = web.AppKey("config", VerifierConfig)
SERVICE_KEY = web.AppKey("service", VerifierService)
