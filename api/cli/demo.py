"""``muster demo``: generate a synthetic agency with years of history and summarise it."""

from __future__ import annotations

import typer

__all__ = ["demo"]


def demo(
    officers: int = typer.Option(150, "--officers", min=1, max=50_000, help="Headcount"),
    years: int = typer.Option(10, "--years", min=1, max=40, help="Years of history"),
    seed: int = typer.Option(7, "--seed", help="Same seed, same agency"),
    slug: str = typer.Option("demo-pd", "--slug", help="Agency slug"),
    state: str = typer.Option("MN", "--state", help="Jurisdiction of the demo agency"),
    until: str = typer.Option("", "--until", help="Last simulated day (default: today)"),
    name: str = typer.Option("Demo Police Department", "--name", help="Agency name"),
) -> None:
    """Create a demo agency with realistic history (or summarise the existing one), in a
    store of its own: one holding anything else is refused."""
    from api.cli.demo_build import build_demo

    build_demo(officers, years, seed, slug, state, until, name)
