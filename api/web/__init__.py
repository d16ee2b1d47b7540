"""The dashboard: server-rendered pages over the same use cases and policies as the JSON
API (``api.http``), mounted by ``api.http.app``. ``api.web.base`` is what pages build on."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["web_routers"]


def web_routers() -> tuple[APIRouter, ...]:
    """Every router of the dashboard (tests/web checks each route declares a policy)."""
    from api.web import (
        accounts_page,
        audit_page,
        credential_pages,
        import_page,
        inbox_page,
        login,
        overview,
        packet_downloads,
        person,
        person_forms,
        policy_forms,
        policy_library_pages,
        policy_pages,
        qualification_pages,
        record_pages,
        relief_forms,
        requests_pages,
        units,
    )

    return (
        login.router,
        overview.router,
        person.router,
        units.router,
        requests_pages.router,
        record_pages.router,
        person_forms.router,
        relief_forms.router,
        audit_page.router,
        import_page.router,
        accounts_page.router,
        inbox_page.router,
        policy_pages.router,
        policy_forms.router,
        policy_library_pages.router,
        credential_pages.router,
        qualification_pages.router,
        packet_downloads.router,
    )
