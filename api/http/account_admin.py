"""What an admin does to another account's secrets, once for both edges: the API's
``PUT /api/v1/accounts/{u}/password`` and ``DELETE /api/v1/accounts/{u}/secrets``
(``api.http.routes.accounts``) and the dashboard's accounts page (``api.web.accounts_page``).
Each refusal is an ``ApiError`` naming the field (the API answers it, the page shows it
beside the field); each change is a read-audit entry."""

from __future__ import annotations

from uuid import UUID

from api.http.authentication import audit_account
from api.http.errors import ApiError
from api.http.passwords import check_new_password, hash_password
from api.http.services import Services
from ledger.accounts import AccountView

__all__ = ["erase_secrets", "set_forgotten_password"]


def set_forgotten_password(
    svc: Services, account: AccountView, password: str, *, actor: str, source: str
) -> None:
    """Set a new password for ``account`` (its holder forgot it): its browser sessions
    end and a login lockout is lifted; its API tokens stay live. 422 ``weak_password``
    (field ``password``) for a password the rules refuse."""
    problem = check_new_password(password)
    if problem is not None:
        raise ApiError(422, "weak_password", problem, "password")
    now = svc.now()
    svc.accounts.set_password(account.id, hash_password(password), now)
    svc.accounts.revoke_all(account.id, now, tokens=False)
    svc.throttle.login_succeeded(account.username)
    audit_account(svc, source, actor, "account.password.reset", account.username, "success")


def erase_secrets(
    svc: Services, account: AccountView, caller: UUID, *, actor: str, source: str
) -> int:
    """Erase every secret of ``account`` (password hash, second factor, API tokens,
    browser sessions): how many rows. 409 ``own_account`` (field ``username``) if it is
    the ``caller``'s own: an admin cannot lock themselves out."""
    if account.id == caller:
        raise ApiError(
            409, "own_account", "erase your own secrets from another admin account", "username"
        )
    erased = svc.accounts.erase(account.id)
    audit_account(svc, source, actor, "account.secrets.erase", account.username,
                  "success" if erased else "none")  # fmt: skip
    return erased
