"""structlog configuration, applied once at each entry point (CLI, server)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
import structlog

__all__ = ["configure_logging", "log"]

_configured = False


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    """JSON lines in production (or when stderr is not a terminal), pretty in a terminal."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if use_json:
        processors += [
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(serializer=orjson.dumps),
        ]
        factory: structlog.typing.WrappedLogger = structlog.BytesLoggerFactory(sys.stderr.buffer)
    else:
        processors.append(structlog.dev.ConsoleRenderer())
        factory = structlog.PrintLoggerFactory(sys.stderr)
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )


def log() -> Any:
    """The structlog logger, configured from the settings on first use: a command that
    logs nothing never imports structlog (``api.logs`` is imported when something logs)."""
    global _configured
    if not _configured:
        from api.settings import get_settings

        settings = get_settings()
        configure_logging(settings.log_level, settings.log_format)
        _configured = True
    return structlog.get_logger()
