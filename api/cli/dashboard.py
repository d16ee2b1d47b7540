"""``muster dashboard``: serve the dashboard and the API on 127.0.0.1 (``make run``'s last
step), with ``--demo-logins``: one demo account per role in the demo agency, each with a
fresh generated password printed once (``api.cli.demo_logins``)."""

from __future__ import annotations

import typer

__all__ = ["dashboard"]


def dashboard(
    host: str | None = typer.Option(None, "--host", help="Default MUSTER_HTTP_HOST (127.0.0.1)"),
    port: int | None = typer.Option(None, "--port", help="Default MUSTER_HTTP_PORT (8000)"),
    demo_logins: str = typer.Option(
        "",
        "--demo-logins",
        help="Agency slug: open (or re-key) one demo account per role there and print them",
    ),
) -> None:
    """Serve the dashboard (and the JSON API) in the browser; print its URL."""
    import uvicorn  # only when serving: the CLI's start stays light

    from api.cli.context import check_secret_keys, console
    from api.settings import get_settings

    settings = get_settings()
    check_secret_keys()
    bind, at = host or settings.http_host, port or settings.http_port
    if demo_logins:
        from api.cli.demo_logins import print_logins, rekey_demo_logins

        print_logins(rekey_demo_logins(demo_logins, settings.totp_roles))
    console.print(f"muster dashboard on http://{bind}:{at}/ (Ctrl-C stops it)")
    uvicorn.run(
        "api.http.app:create_app",
        factory=True,
        host=bind,
        port=at,
        workers=1,
        log_level=settings.log_level,
        access_log=False,
        server_header=False,
    )
