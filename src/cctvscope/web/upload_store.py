"""Previewed survey uploads, kept in the store (``web_uploads``) until their confirm.

In the store rather than one process's memory, so that with ``cctvscope serve
--workers N`` the confirm may reach any process. Each row is its uploader's only one
(a new preview deletes the earlier), and rows older than ``upload_keep_s`` go at the
next preview of anyone.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import Engine

from cctvscope.store.engine import write_transaction
from cctvscope.store.web_tables import web_uploads
from cctvscope.web.deps import Upload


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def keep_upload(engine: Engine, upload_id: str, upload: Upload) -> None:
    """Store a previewed upload under its id."""
    with write_transaction(engine) as connection:
        connection.execute(
            web_uploads.insert().values(
                id=upload_id,
                user_id=upload.user_id,
                name=upload.name,
                borough=upload.borough,
                kept_at=_now(),
                data=upload.data,
                findings_csv=upload.findings_csv,
            )
        )


def kept_upload(engine: Engine, upload_id: str, user_id: int) -> Upload | None:
    """The user's previewed upload of that id, or None (gone, or another user's)."""
    query = sa.select(web_uploads).where(
        web_uploads.c.id == upload_id, web_uploads.c.user_id == user_id
    )
    with engine.connect() as connection:
        row = connection.execute(query).mappings().first()
    if row is None:
        return None
    data = row["data"]
    return Upload(
        user_id=int(row["user_id"]),
        data=None if data is None else bytes(data),
        name=str(row["name"]),
        borough=str(row["borough"]),
        findings_csv=bytes(row["findings_csv"]),
    )


def upload_ids(engine: Engine) -> set[str]:
    """Ids of every kept upload."""
    with engine.connect() as connection:
        return {str(i) for i in connection.execute(sa.select(web_uploads.c.id)).scalars()}


def discard_upload(engine: Engine, upload_id: str) -> bool:
    """Forget one upload; True when this call removed it (a confirm claims its upload so:
    of two at once, one goes on)."""
    with write_transaction(engine) as connection:
        result = connection.execute(web_uploads.delete().where(web_uploads.c.id == upload_id))
    return bool(result.rowcount == 1)


def discard_stale_uploads(engine: Engine, user_id: int, keep_s: float) -> None:
    """Delete the user's earlier previews, and everyone's older than ``keep_s``."""
    oldest = _now() - dt.timedelta(seconds=keep_s)
    with write_transaction(engine) as connection:
        connection.execute(
            web_uploads.delete().where(
                sa.or_(web_uploads.c.user_id == user_id, web_uploads.c.kept_at < oldest)
            )
        )
