"""The private camera registry's table, on the store's one ``MetaData``.

A business's registration of a camera: who registered it, how to reach them,
what they consent to, and whether the registry has verified it. Like
``cop_assessments`` it refers to the estate by *name*, not by a foreign key to an
estate version: a registration outlives the versions (each registration or edit
writes a new estate version). ``camera_id`` links it to the estate's private camera.
Imported at the end of :mod:`cctvscope.store.tables`, so Alembic sees it.
"""

from __future__ import annotations

import sqlalchemy as sa

from cctvscope.store.tables import metadata

private_registrations = sa.Table(
    "private_registrations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("estate_name", sa.Text, nullable=False),
    sa.Column("business_id", sa.Text, nullable=False),
    sa.Column("camera_id", sa.Text, nullable=False),
    sa.Column("contact", sa.Text, nullable=False),
    sa.Column("consent_contact", sa.Boolean, nullable=False),
    sa.Column("consent_share", sa.Boolean, nullable=False),
    sa.Column("verification_status", sa.Text, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("estate_name", "camera_id"),
    sa.Index("ix_private_registrations_estate_business", "estate_name", "business_id"),
    sqlite_autoincrement=True,
)
"""One row per registered private camera of an estate (unique by estate name and camera id)."""
