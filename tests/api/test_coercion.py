"""``api.cli.coercion``: typer's parameters coerced without pydantic give exactly what
typer's own (pydantic) coercion gives, for every value and parameter shape, and the
adapter is installed only on the typer release it was checked against."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import typer
import typer.core
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param

from api.cli.coercion import PINNED_TYPER, install, light_runtime_param

ROOT = Path(__file__).resolve().parents[2]

probe = typer.Typer()


@probe.command()
def _every_shape(
    name: str = typer.Argument(...),
    text: str = typer.Option("x"),
    maybe: str | None = typer.Option(None),
    many: list[str] = typer.Option([]),
    flag: bool = typer.Option(False),
    count: int = typer.Option(1),
    where: Path | None = typer.Option(None),
) -> None:
    """Not run: its parameters are what typer builds for muster's commands."""


COMMAND = typer.main.get_command(probe)
PARAMS = [p for p in COMMAND.params if p.name not in {"install_completion", "show_completion"}]

VALUES = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.booleans(),
    st.integers(),
    st.lists(st.text(max_size=4), max_size=3),
    st.tuples(st.text(max_size=4), st.text(max_size=4)),
    st.lists(st.one_of(st.text(max_size=4), st.integers(), st.none()), max_size=3),
    st.sampled_from(["", " ", "true", "0", "1.5", "ä", "a\x00b", "--x"]),
)


def _outcome(runtime: Any, value: Any, param: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=Context(COMMAND))
    except BadParameter as error:
        return ("refused", error.format_message())
    return ("value", (type(result), result))


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, len(PARAMS) - 1), value=VALUES)
def test_the_light_coercion_equals_typers_own(index: int, value: Any) -> None:
    param = PARAMS[index]
    descriptor = param.type_descriptor  # type: ignore[attr-defined]
    light = _outcome(light_runtime_param(descriptor), value, param)
    assert light == _outcome(build_runtime_param(descriptor), value, param)


def test_the_light_shapes_are_str_bool_and_lists_of_str() -> None:
    """The others (int, Path) are typer's own coercion, untouched."""
    light = {
        p.name
        for p in PARAMS
        if type(light_runtime_param(p.type_descriptor)).__name__ == "_LightRuntimeParam"  # type: ignore[attr-defined]
    }
    assert light == {"name", "text", "maybe", "many", "flag"}


def test_installed_on_the_pinned_typer_only() -> None:
    """Fails loudly when typer is upgraded: check the adapter against the new release (its
    ``build_runtime_param`` and ``RuntimeParam``) and move ``PINNED_TYPER``."""
    import api.cli.app  # noqa: F401  (installs the adapter)

    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"typer=={PINNED_TYPER}" in pins
    assert typer.__version__ == PINNED_TYPER
    assert typer.core.build_runtime_param is light_runtime_param  # type: ignore[attr-defined]
    assert install() is True  # a second install keeps it
