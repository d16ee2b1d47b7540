"""The API's application factory: one ``Ledger`` (and one set of side tables) per process,
opened at start-up from the settings read once, closed at shutdown.

``create_app()`` is what ``muster serve`` runs (uvicorn's factory); tests pass their own
``Services``. OpenAPI at ``/api/v1/openapi.json``; the dashboard's pages (``api.web``)
beside it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.cli.context import lock_timeouts
from api.http.errors import install_error_handlers
from api.http.routes import (
    accounts,
    agencies,
    audit,
    credential_types,
    credentials,
    health,
    imports,
    inbox,
    own_account,
    packets,
    people,
    policies,
    reads,
    relief,
    requests,
    session,
    writes,
)
from api.http.services import Services
from api.logs import configure_logging
from api.settings import Settings, get_settings
from ledger.application import Ledger
from ledger.seal import SealKeys, load_seal_keys
from projections.fingerprint import use_cache_dir

__all__ = ["ROUTERS", "create_app", "open_services"]

# Every router the app serves (tests/http/test_policies.py checks each of their routes).
ROUTERS = (
    health.router,
    session.router,
    reads.router,
    writes.router,
    requests.router,
    audit.router,
    accounts.router,
    packets.router,
    agencies.router,
    people.router,
    relief.router,
    inbox.router,
    credentials.router,
    policies.router,
    credential_types.router,
    imports.router,
    own_account.router,
)


def open_services(settings: Settings) -> Services:
    use_cache_dir(settings.cache_dir)
    keys = SealKeys() if settings.seal_key_file is None else load_seal_keys(settings.seal_key_file)
    ledger = Ledger(
        settings.database_url,
        seal_keys=keys,
        allow_unsafe_durability=settings.allow_unsafe_durability,
        env=lock_timeouts(settings.lock_timeout),
    )
    try:
        return Services.for_ledger(ledger, settings)
    except Exception:
        ledger.close()
        raise


def create_app(svc: Services | None = None) -> FastAPI:
    """The app; without ``svc`` it opens its own from the environment at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = svc is None
        if own:
            settings = get_settings()
            configure_logging(settings.log_level, settings.log_format)
            app.state.services = open_services(settings)
        else:
            app.state.services = svc
        try:
            yield
        finally:
            if own:
                app.state.services.close()

    app = FastAPI(
        title="muster",
        version="1",
        summary="An append-only training-compliance ledger: accounts, reads and writes",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    if svc is not None:
        app.state.services = svc
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    # The dashboard's pages (``api.web``): HTML, not in the OpenAPI document.
    from api.web import web_routers
    from api.web.base import html_error

    app.state.html_errors = html_error
    for router in web_routers():
        app.include_router(router)
    return app
