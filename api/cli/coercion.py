"""Typer's parameter coercion without pydantic for the values it would return unchanged.

Typer 0.29 coerces every command parameter through a pydantic ``TypeAdapter``, so any
command with an option imports pydantic (about as long as typer and rich together; issue
14 §6, ``benchmarks/cli_startup_bench.py``). A ``str``, a ``list[str]`` and a ``bool`` of
the kind click already hands over come back from typer's adapter as they went in (a list
as a new list); this adapter returns those itself and passes every other value, and every
other annotation, to typer's own coercion, built when first needed. ``install`` replaces
typer's builder only where the pinned typer has the names it expects; ``tests/api/
test_coercion.py`` proves the values equal to typer's own and fails when typer changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import typer.core
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param

__all__ = ["PINNED_TYPER", "install", "light_runtime_param"]

# The typer release this adapter was checked against (pyproject.toml pins the same).
PINNED_TYPER = "0.29.2"

_LIGHT = ("str", "list[str]", "bool")


def _shape(descriptor: TypeDescriptor) -> str | None:
    """Which light shape an annotation has, or None where typer's coercion does more
    than return the value (a parser, a file, a path, a choice, a number...)."""
    info = descriptor.parameter_info
    if info.parser is not None or descriptor.file_annotation is not None:
        return None
    if descriptor.is_path or descriptor.is_choice:
        return None
    annotation = descriptor.annotation
    if annotation is str:
        return "str"
    if annotation is bool:
        return "bool"
    if annotation == list[str]:
        return "list[str]"
    return None


@dataclass(frozen=True)
class _LightRuntimeParam(RuntimeParam):
    """Returns a plain value of its shape as typer's adapter would; anything else goes to
    typer's own coercion (``_full``, built on first use: it imports pydantic)."""

    descriptor: TypeDescriptor = field(compare=False, kw_only=True)
    shape: str = field(kw_only=True)
    _built: list[RuntimeParam] = field(default_factory=list, compare=False, kw_only=True)

    def _full(self) -> RuntimeParam:
        if not self._built:
            self._built.append(build_runtime_param(self.descriptor))
        return self._built[0]

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.shape == "str" and type(value) is str:
            return value
        if self.shape == "bool" and type(value) is bool:
            return value
        if self.shape == "list[str]":
            if type(value) is str:
                return [value]
            if isinstance(value, list | tuple) and all(type(item) is str for item in value):
                return list(value)
        return self._full()._coerce_value(value, param, ctx)


def light_runtime_param(descriptor: TypeDescriptor) -> RuntimeParam:
    """The runtime coercion of one parameter: the light one for a light shape, typer's own
    otherwise."""
    shape = _shape(descriptor)
    if shape is None:
        return build_runtime_param(descriptor)
    return _LightRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        descriptor=descriptor,
        shape=shape,
    )


def install() -> bool:
    """Make typer's parameters use ``light_runtime_param``; False (nothing changed, typer's
    own coercion stays) where this typer is not the one the adapter was checked against."""
    if typer.__version__ != PINNED_TYPER:
        return False
    if getattr(typer.core, "build_runtime_param", None) not in {
        build_runtime_param,
        light_runtime_param,
    }:
        return False
    typer.core.build_runtime_param = light_runtime_param  # type: ignore[attr-defined]
    return True
