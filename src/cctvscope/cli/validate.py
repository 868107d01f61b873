"""Checks of command-line arguments, run by Click before a command does any work.

Each check is a Typer ``callback``: a bad value raises :class:`typer.BadParameter`,
which Click prints as a usage error naming the option ("Invalid value for '--budget':
...") and exits with code 2. Checking here, not in the analyses, means a mistyped
number or path fails in a second rather than after minutes of work, and never
leaves a half-written output or a new empty store behind.
"""

from __future__ import annotations

import math
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

import typer

from cctvscope.cli.mirrors import BNG_BOUNDS_M

# Only Typer and the standard library at module level: every command's options use these
# checks, so what this module imports is paid by `cctvscope --help`. SQLAlchemy, pyproj and
# the settings are imported by the checks that need them, when a command runs.

Numbers = float | list[float] | None
"""A number option's value: one, repeated, or not given (int is a float to mypy)."""

#: Seconds to wait for a Dask scheduler to accept a connection: long enough for a
#: scheduler on the local network, short enough that a typo fails at once.
SCHEDULER_TIMEOUT_S = 3.0


def number(
    *, lo: float | None = None, hi: float | None = None, above: float | None = None, what: str = ""
) -> Callable[[Numbers], Numbers]:
    """A check that a number (or each of a repeated option's) is finite and in range.

    ``lo``/``hi`` are inclusive bounds, ``above`` an exclusive lower bound; ``what``
    says what the range is ("British National Grid easting [m]"). Click's own
    ``min``/``max`` are not enough: NaN compares false with every bound and passes them.
    """
    suffix = f" ({what})" if what else ""

    def check(value: Numbers) -> Numbers:
        values = value if isinstance(value, list) else [] if value is None else [value]
        for v in values:
            # Only floats can be NaN or infinite; an int may be too large for a float.
            if isinstance(v, float) and not math.isfinite(v):
                raise typer.BadParameter(f"must be a finite number, not {v}")
            shown = f"{v:g}" if isinstance(v, float) else str(v)
            if lo is not None and hi is not None and not lo <= v <= hi:
                raise typer.BadParameter(f"must be between {lo:g} and {hi:g}{suffix}, not {shown}")
            if lo is not None and v < lo:
                raise typer.BadParameter(f"must be at least {lo:g}{suffix}, not {shown}")
            if hi is not None and v > hi:
                raise typer.BadParameter(f"must be at most {hi:g}{suffix}, not {shown}")
            if above is not None and v <= above:
                raise typer.BadParameter(f"must be more than {above:g}{suffix}, not {shown}")
        return value

    return check


def one_of(*choices: str) -> Callable[[str | None], str | None]:
    """A check that a text option is one of ``choices``."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    return check


# --- numbers with a meaning ------------------------------------------------------------------

finite = number()
positive = number(above=0)
non_negative = number(lo=0)
at_least_one = number(lo=1)
share = number(lo=0, hi=1, what="a share")
port = number(lo=1, hi=65535, what="a TCP port")
workers = number(lo=1, hi=64, what="server processes")
degrees = number(lo=0, hi=360, what="a compass bearing [°]")
field_of_view = number(above=0, hi=360, what="an angle of view [°]")
longitude = number(lo=-180, hi=180, what="WGS84 longitude [°]")
latitude = number(lo=-90, hi=90, what="WGS84 latitude [°]")
easting = number(lo=BNG_BOUNDS_M[0], hi=BNG_BOUNDS_M[2], what="British National Grid easting [m]")
northing = number(lo=BNG_BOUNDS_M[1], hi=BNG_BOUNDS_M[3], what="British National Grid northing [m]")


def bng_point(lon: float, lat: float) -> tuple[float, float]:
    """``lon``/``lat`` on the British National Grid, or a usage error when off its extent.

    A valid WGS84 place far from Great Britain projects to infinities or to a point
    no estate can have, so it is refused rather than answered with "(inf, inf)".
    """
    from cctvscope.crs import wgs84_to_bng

    bx, by = wgs84_to_bng([lon], [lat])
    x, y = float(bx[0]), float(by[0])
    west, south, east, north = BNG_BOUNDS_M
    if not (math.isfinite(x) and math.isfinite(y) and west <= x <= east and south <= y <= north):
        raise typer.BadParameter(
            f"({lon:g}, {lat:g}) is outside the British National Grid's extent",
            param_hint="'--lon' / '--lat'",
        )
    return x, y


# --- output paths ----------------------------------------------------------------------------


#: Longest estate or region name [characters] (it is shown in every title).
MAX_NAME_CHARS = 100


def new_name(value: str) -> str:
    """A name for a new estate or region: not blank, printable, at most MAX_NAME_CHARS.

    Checked before any file is read, so a typo costs nothing.
    """
    name = value.strip()
    if not name:
        raise typer.BadParameter("a name is needed (it may not be blank)")
    if len(name) > MAX_NAME_CHARS:
        raise typer.BadParameter(f"at most {MAX_NAME_CHARS} characters, not {len(name)}")
    if not name.isprintable():
        raise typer.BadParameter("control or invisible characters are not allowed in a name")
    return name


def _writable_base(path: Path) -> None:
    """The nearest existing folder at or above ``path`` must be a folder we can write in.

    Writing is tried (a temporary file) rather than asked of ``os.access``, which
    answers yes to root and on read-only mounts.
    """
    base = path.absolute()
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise typer.BadParameter(f"cannot create {path}: {base} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=base):
            pass
    except OSError as exc:
        raise typer.BadParameter(f"cannot write in {base}: {exc.strerror or exc}") from exc


def out_dir(value: Path | None) -> Path | None:
    """An output folder: an existing folder, or one that can be created, writable either way."""
    if value is not None:
        if value.exists() and not value.is_dir():
            raise typer.BadParameter(f"{value} is a file, not a folder")
        _writable_base(value)
    return value


def out_file(value: Path | None) -> Path | None:
    """An output file: not a folder, in a folder that exists or can be created, writable."""
    if value is not None:
        if value.is_dir():
            raise typer.BadParameter(f"{value} is a folder, not a file")
        _writable_base(value.parent)
    return value


def out_path(value: Path | None) -> Path | None:
    """An output that may be a file or a folder (``export``): somewhere writable."""
    if value is not None:
        _writable_base(value)
    return value


def in_dir(value: Path | None) -> Path | None:
    """A folder that is read (``serve --out``): absent is allowed, a file is not."""
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{value} is a file, not a folder")
    return value


# --- the store -------------------------------------------------------------------------------


def _sqlite_file(text: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory or a server database)."""
    import sqlalchemy as sa

    try:
        url = sa.make_url(text)
    except sa.exc.ArgumentError as exc:
        raise typer.BadParameter(f"not a database URL: {text!r}") from exc
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def store_url(value: str | None) -> str:
    """The store URL: the option's value, else the settings (environment or default)."""
    if value:
        return value
    from cctvscope.config import get_settings  # pydantic: paid by commands, not by --help

    return get_settings().database_url


def existing_store(value: str | None) -> str:
    """The store URL (option, else settings); a SQLite store's file must already exist.

    Only ``init``, ``demo`` and the commands that create regions, estates or imports
    make a store; any other command on a mistyped path would otherwise create a new
    empty store and answer from it as if it were the real one.
    """
    text = store_url(value)
    path = _sqlite_file(text)
    if path is not None:
        if not path.is_file():
            raise typer.BadParameter(
                f"no store at {path}; create one with `cctvscope init` (or `cctvscope demo`)"
            )
        _sqlite_or_nothing(path)
    _reachable_server(text)
    return text


#: How long a database server may take to accept a connection before the command stops [s].
SERVER_TIMEOUT_S = 5.0


def _reachable_server(text: str) -> None:
    """A server database (PostgreSQL) must accept connections before any work starts.

    The driver would otherwise fail after the command had read and validated its
    input (exit 1, and minutes lost on a large import). Only the address is tried
    (TCP, or the Unix socket a ``host=/folder`` URL names); the login is the driver's.
    """
    import sqlalchemy as sa

    url = sa.make_url(text)
    if url.get_backend_name() != "postgresql":
        return
    host = url.host or str(url.query.get("host") or "") or "/var/run/postgresql"
    port = url.port or 5432
    if host.startswith("/"):
        socket_path = Path(host) / f".s.PGSQL.{port}"
        if not socket_path.exists():
            raise typer.BadParameter(f"no PostgreSQL server at {socket_path} (is it running?)")
        return
    try:
        with socket.create_connection((host, port), SERVER_TIMEOUT_S):
            pass
    except OSError as exc:
        raise typer.BadParameter(
            f"no PostgreSQL server answers at {host}:{port} within {SERVER_TIMEOUT_S:g} s "
            f"({exc.strerror or exc})"
        ) from exc


#: The first bytes of every SQLite database file (an empty file is a new database too).
SQLITE_HEADER = b"SQLite format 3\x00"


def _sqlite_or_nothing(path: Path) -> None:
    """A file given as the store must be a SQLite database, not, say, a mistyped CSV."""
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise typer.BadParameter(f"{path} is not a SQLite store")


def store_exists(url: str) -> bool:
    """Whether the store at ``url`` is there: a SQLite file exists (a server is assumed to)."""
    path = _sqlite_file(url)
    return path is None or path.is_file()


def new_store(value: str | None) -> str:
    """The store URL of a command that may create it: a SQLite file where one can be written.

    The store makes a missing folder itself, but a file in the way or a read-only
    folder failed late with a driver error.
    """
    text = store_url(value)
    path = _sqlite_file(text)
    if path is not None:
        if path.exists() and not path.is_file():
            raise typer.BadParameter(f"{path} is not a file")
        _sqlite_or_nothing(path)
        _writable_base(path.parent)
    _reachable_server(text)
    return text


# --- Dask ------------------------------------------------------------------------------------


def reachable_scheduler(value: str | None) -> str | None:
    """A Dask scheduler address (``tcp://host:port`` or ``host:port``) that accepts connections.

    Dask itself waits about 30 s and then raises a bare ``OSError``; this fails in
    seconds and says which address did not answer.
    """
    if value is None:
        return None
    address = value.split("://", 1)[-1]
    host, _, port_text = address.rpartition(":")
    if not host or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise typer.BadParameter(f"{value!r} is not a scheduler address (tcp://host:port)")
    try:
        with socket.create_connection((host.strip("[]"), int(port_text)), SCHEDULER_TIMEOUT_S):
            pass
    except OSError as exc:
        raise typer.BadParameter(
            f"no Dask scheduler answers at {value} within {SCHEDULER_TIMEOUT_S:g} s "
            f"({exc.strerror or exc})"
        ) from exc
    return value
