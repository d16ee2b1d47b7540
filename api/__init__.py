"""The edges of muster: the CLI, the HTTP API and dashboard, settings and logging."""
