"""Who may see which private cameras: the one policy, used by the registry and the web app.

A private camera's location and registration are personal data of its business. The
policy names, per role, the private cameras a caller may see:

- ``business``: its own cameras (whatever their consents);
- ``police`` and ``admin``: every camera whose business consents to share footage;
- every other role (``analyst``, ``borough_manager``): none. Analysts work on
  aggregates, which include every camera; a location is not theirs to see.

:func:`private_scope` decides; :func:`registration_where` (SQL, for the registry) and
:func:`visible_registrations` (pandas, for the web app's cached registrations) apply
the same decision, so the two paths cannot drift apart again.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa

from cctvscope.store.registry_tables import private_registrations

if TYPE_CHECKING:
    import pandas as pd


class PrivateScope(StrEnum):
    """Which private cameras a role sees."""

    NONE = "none"
    OWN = "own"
    CONSENTING = "consenting"


#: The policy: roles not named here see no private camera.
_SCOPES: dict[str, PrivateScope] = {
    "business": PrivateScope.OWN,
    "police": PrivateScope.CONSENTING,
    "admin": PrivateScope.CONSENTING,
}


def private_scope(role: str) -> PrivateScope:
    """The private cameras ``role`` (a web or registry role name) may see."""
    return _SCOPES.get(str(role), PrivateScope.NONE)


def registration_where(role: str, business_id: str | None) -> sa.ColumnElement[bool]:
    """The rows of ``private_registrations`` ``role`` may see, as a SQL condition."""
    table = private_registrations
    scope = private_scope(role)
    if scope is PrivateScope.OWN:
        return table.c.business_id == (business_id or "")
    if scope is PrivateScope.CONSENTING:
        return table.c.consent_share.is_(True)
    return sa.false()


def visible_registrations(
    role: str, business_id: str | None, registrations: pd.DataFrame
) -> pd.Series:
    """Which rows of a registrations frame (``business_id``, ``consent_share``) ``role``
    may see: the same decision as :func:`registration_where`."""
    import pandas as pd

    scope = private_scope(role)
    if scope is PrivateScope.OWN:
        return registrations["business_id"].astype(str) == (business_id or "")
    if scope is PrivateScope.CONSENTING:
        return registrations["consent_share"].astype(bool)
    return pd.Series(False, index=registrations.index)
