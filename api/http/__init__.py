"""The JSON API under ``/api/v1`` (docs/http.md): the same use cases the CLI calls."""
