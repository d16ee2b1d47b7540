"""``muster serve``: the HTTP API (``api.http.app``) under uvicorn, settings read once
from the environment (``MUSTER_HTTP_HOST``, ``MUSTER_HTTP_PORT``, ``MUSTER_HTTP_WORKERS``)."""

from __future__ import annotations

import typer

from api.cli.context import console

__all__ = ["serve"]


def serve(
    host: str | None = typer.Option(None, "--host", help="Default MUSTER_HTTP_HOST (127.0.0.1)"),
    port: int | None = typer.Option(None, "--port", help="Default MUSTER_HTTP_PORT (8000)"),
    workers: int | None = typer.Option(
        None, "--workers", min=1, max=64, help="Worker processes (default MUSTER_HTTP_WORKERS)"
    ),
) -> None:
    """Serve the JSON API under /api/v1 (health: /healthz, /readyz)."""
    import uvicorn  # only when serving: the CLI's start stays light

    from api.settings import get_settings

    settings = get_settings()
    bind, at = host or settings.http_host, port or settings.http_port
    console.print(f"muster API on http://{bind}:{at}/api/v1 (OpenAPI: /api/v1/openapi.json)")
    uvicorn.run(
        "api.http.app:create_app",
        factory=True,
        host=bind,
        port=at,
        workers=workers or settings.http_workers,
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
    )
