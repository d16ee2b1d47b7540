"""``muster serve``: the HTTP API (``api.http.app``) under uvicorn, settings read once
from the environment (``MUSTER_HTTP_HOST``, ``MUSTER_HTTP_PORT``, ``MUSTER_HTTP_WORKERS``)."""

from __future__ import annotations

import typer

from api.cli import context

__all__ = ["serve"]


def _notify_every(seconds: int) -> None:
    """Notification passes in this process (``MUSTER_NOTIFY_INTERVAL``), whatever the
    number of HTTP workers: once per server, not once per worker."""
    from api.cli.context import open_ledger
    from api.cli.notify import run_all
    from api.notify.schedule import start_notify_thread

    def one_pass() -> list[str]:
        with open_ledger() as ledger:
            return run_all(ledger, None, None)

    start_notify_thread(float(seconds), one_pass)
    context.console.print(f"notification passes every {seconds} s (MUSTER_NOTIFY_INTERVAL)")


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
    context.check_secret_keys()
    bind, at = host or settings.http_host, port or settings.http_port
    api = f"http://{bind}:{at}/api/v1"
    context.console.print(f"muster API on {api} (OpenAPI: /api/v1/openapi.json)")
    if settings.notify_interval:
        _notify_every(settings.notify_interval)
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
