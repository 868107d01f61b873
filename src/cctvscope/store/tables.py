"""The store's schema as SQLAlchemy Core tables, derived from the estate entities.

Each estate table gets one column per field of its entity (via
:func:`cctvscope.model.frames.field_kind`), so the schema cannot drift from the
model: a new entity field shows up as a difference between these tables and the
migrations, which the tests check. Rows keep their order in the frame through a
``position`` column, part of the primary key ``(estate_id, position)``.

Geometry is PostGIS ``geometry(…, 27700)`` on PostgreSQL and WKB in a BLOB on
SQLite, whose ``sqlite3`` here cannot load SpatiaLite; both bind and return
shapely geometries.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import shapely
import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from cctvscope.model.entities import ENTITY_TYPES, Entity
from cctvscope.model.estate import ID_COLUMNS, TABLES
from cctvscope.model.frames import field_kind

SRID = 27700
"""British National Grid: the only CRS the store holds."""

#: Geometry type of each estate table that has geometry.
GEOMETRY_TYPES: dict[str, str] = {
    "boroughs": "GEOMETRY",  # Polygon or MultiPolygon
    "control_rooms": "POINT",
    "cameras": "POINT",
}

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def register_spatial_events() -> None:
    """Import GeoAlchemy2, which registers on import the DDL and reflection events that
    create and reflect PostGIS geometry columns.

    Every Alembic run calls it, and a PostgreSQL geometry column on first use; a SQLite
    store already at head never needs it (the import costs a tenth of a second of a
    cached police search).
    """
    import geoalchemy2  # noqa: F401


class GeometryType(sa.types.TypeDecorator[Any]):
    """A shapely geometry: PostGIS ``geometry`` on PostgreSQL, WKB bytes elsewhere.

    Parameters
    ----------
    geometry_type
        PostGIS geometry type constraint (``"POINT"``, ``"GEOMETRY"``, ...);
        SQLite stores any geometry.
    srid
        PostGIS SRID constraint; None for a column of any CRS (a region's layers are
        in the metric CRS its row names: BNG in Great Britain, a UTM zone elsewhere).
    """

    impl = sa.LargeBinary
    cache_ok = True
    # Read by geoalchemy2's DDL events: the GiST index is declared on the table
    # instead, and the column is created by plain DDL (no AddGeometryColumn).
    spatial_index = False
    use_typmod = None

    def __init__(self, geometry_type: str = "GEOMETRY", srid: int | None = SRID) -> None:
        super().__init__()
        self.geometry_type = geometry_type
        self.srid = srid

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        """PostGIS geometry on PostgreSQL; a plain BLOB everywhere else."""
        if dialect is not None and dialect.name == "postgresql":
            register_spatial_events()
            from geoalchemy2 import Geometry

            return dialect.type_descriptor(
                Geometry(
                    geometry_type=self.geometry_type,
                    srid=-1 if self.srid is None else self.srid,  # geoalchemy2: -1 is any
                    spatial_index=False,
                )
            )
        return sa.LargeBinary() if dialect is None else dialect.type_descriptor(sa.LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Shapely geometry -> hex EWKB (read by PostGIS ``ST_GeomFromEWKT``) or WKB bytes."""
        if value is None:
            return None
        if dialect.name == "postgresql":
            if self.srid is None:
                return shapely.to_wkb(value, hex=True)
            return shapely.to_wkb(shapely.set_srid(value, self.srid), hex=True, include_srid=True)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """(E)WKB from either backend -> shapely geometry without an SRID."""
        if value is None:
            return None
        data = getattr(value, "data", value)  # geoalchemy2 wraps PostGIS values in WKBElement
        if isinstance(data, str):
            data = bytes.fromhex(data)
        return shapely.set_srid(shapely.from_wkb(bytes(data)), 0)


def _is_optional(entity: type[Entity], name: str) -> bool:
    """True when the field's annotation admits ``None``."""
    annotation = entity.model_fields[name].annotation
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(
        None
    ) in typing.get_args(annotation)


_SQL_TYPES: dict[str, type[TypeEngine[Any]]] = {
    "str": sa.Text,
    "int": sa.BigInteger,
    "float": sa.Float,
    "bool": sa.Boolean,
    "date": sa.Date,
    "list": sa.Text,
}


def entity_columns(entity: type[Entity]) -> list[sa.Column[Any]]:
    """One column per entity field, typed by its storage kind, NULL only where optional."""
    return [
        sa.Column(
            name,
            _SQL_TYPES[field_kind(entity, name)](),
            nullable=_is_optional(entity, name),
        )
        for name in entity.model_fields
    ]


def _estate_key() -> list[sa.Column[Any]]:
    """``estate_id`` and ``position``: which estate version a row belongs to, and its order."""
    return [
        sa.Column(
            "estate_id",
            sa.Integer,
            sa.ForeignKey("estates.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
    ]


estates = sa.Table(
    "estates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("region_code", sa.Text, nullable=False),
    sa.Column("region_name", sa.Text, nullable=False),
    sa.Column("metadata", sa.JSON, nullable=False),
    sa.Column("input_hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("name", "version"),
    sqlite_autoincrement=True,  # never reuse the id of a deleted estate
)
"""One row per saved estate version."""


def _estate_table(name: str) -> sa.Table:
    entity = ENTITY_TYPES[name]
    columns: list[sa.Column[Any]] = [*_estate_key(), *entity_columns(entity)]
    if name in GEOMETRY_TYPES:
        columns.append(sa.Column("geometry", GeometryType(GEOMETRY_TYPES[name]), nullable=True))
    table = sa.Table(name, metadata, *columns)
    sa.Index(
        f"ux_{name}_id", table.c.estate_id, *(table.c[c] for c in ID_COLUMNS[name]), unique=True
    )
    if name in GEOMETRY_TYPES:
        sa.Index(f"ix_{name}_geometry", table.c.geometry, postgresql_using="gist").ddl_if(
            dialect="postgresql"
        )
    return table


ESTATE_TABLES: dict[str, sa.Table] = {name: _estate_table(name) for name in TABLES}
"""The table holding each estate table, keyed by the estate table's name."""

findings = sa.Table(
    "findings",
    metadata,
    *_estate_key(),
    sa.Column("table", sa.Text, nullable=True),
    sa.Column("record_id", sa.Text, nullable=True),
    sa.Column("row", sa.Integer, nullable=True),
    sa.Column("field", sa.Text, nullable=True),
    sa.Column("value", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("source", sa.Text, nullable=True),
)
"""Import warnings stored with an estate version (columns of ``FINDING_COLUMNS``)."""

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "estate_id",
        sa.Integer,
        sa.ForeignKey("estates.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("input_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("cctvscope_version", sa.Text, nullable=False),
    sqlite_autoincrement=True,
)
"""Analysis runs: what ran on which estate version, with which options and result."""

ALL_TABLES: tuple[sa.Table, ...] = (estates, *ESTATE_TABLES.values(), findings, runs)
"""Every table of the store, parents first."""


cop_assessments = sa.Table(
    "cop_assessments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # The estate's name, not a foreign key: an assessment belongs to a borough of the
    # estate and outlives its versions (a new camera import does not void it).
    sa.Column("estate_name", sa.Text, nullable=False),
    sa.Column("borough_code", sa.Text, nullable=False),
    sa.Column("questionnaire_id", sa.Text, nullable=False),
    sa.Column("questionnaire_version", sa.Text, nullable=False),
    sa.Column("assessor", sa.Text, nullable=False),
    sa.Column("assessed_on", sa.Date, nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("principle_scores", sa.JSON, nullable=False),
    sa.Column("overall_share", sa.Float, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_cop_assessments_estate_borough", "estate_name", "borough_code"),
    sqlite_autoincrement=True,
)
"""Code of Practice self-assessments of boroughs, by estate name (not in ``ALL_TABLES``,
whose tables all hang off an estate version)."""

from cctvscope.store import region_tables as region_tables  # noqa: E402  (registers its tables)
from cctvscope.store import registry_tables as registry_tables  # noqa: E402  (registers its table)
from cctvscope.store import web_tables as web_tables  # noqa: E402  (registers its tables)
