"""Bad arguments: every one is a usage error (exit 2) naming the option, before any work.

Each case also checks that nothing was written: no store, no output folder, no file.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cctvscope.cli import validate
from cctvscope.cli.main import app

runner = CliRunner()

STORE_FILE = "store.db"


#: Files SQLite keeps beside an existing store while it is open in WAL mode (not a new store).
WAL_SIDECARS = ("-wal", "-shm")


def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not p.name.endswith(WAL_SIDECARS)}


def _plain(output: str) -> str:
    """The output without rich's error box, on one line (the box wraps long messages)."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", output).split())


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working folder with a file in it, and no store URL in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CCTVSCOPE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CCTVSCOPE_EVIDENCE_DIR", raising=False)
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    return tmp_path


@pytest.fixture
def store(here: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An initialised (empty) store, given to every command through the environment."""
    url = f"sqlite:///{here / STORE_FILE}"
    assert runner.invoke(app, ["init", "--database-url", url]).exit_code == 0
    monkeypatch.setenv("CCTVSCOPE_DATABASE_URL", url)
    return url


def _refused(args: list[str], root: Path, option: str, *words: str) -> str:
    """Run ``args``: exit 2, a usage error naming ``option`` and ``words``, nothing written."""
    before = _tree(root)
    result = runner.invoke(app, args)
    text = _plain(result.output)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"Invalid value for '{option}'" in text, text
    for word in words:
        assert word in text, text
    assert _tree(root) == before
    return text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# --- the examples of the finding -------------------------------------------------------------


def test_serve_port_out_of_range(here: Path) -> None:
    _refused(["serve", "--port", "99999"], here, "--port", "between 1 and 65535", "99999")
    _refused(["serve", "--port", "1" + "0" * 400], here, "--port", "between 1 and 65535")


@pytest.mark.parametrize("budget", ["-100000", "nan", "inf"])
def test_placement_budget(store: str, here: Path, budget: str) -> None:
    args = ["options", "placement", "--estate", "e", "--budget", budget]
    _refused(args, here, "--budget")


def test_evidence_request_place_not_finite(store: str, here: Path) -> None:
    (here / "cams.csv").write_text("camera_id\n", encoding="utf-8")
    args = ["evidence", "request", "--cameras", "cams.csv", "--start", "2024-01-01T00:00",
            "--end", "2024-01-01T01:00", "--x", "nan", "--y", "inf"]  # fmt: skip
    _refused(args, here, "--x", "finite", "nan")
    args[-3] = "530000"
    _refused(args, here, "--y", "finite", "inf")


def test_unwritable_database_url_for_init(here: Path) -> None:
    _refused(["init", "--database-url", "sqlite:///afile/x.db"], here, "--database-url", "afile")
    _refused(["init", "--database-url", "sqlite:///afile"], here, "--database-url", "not a SQLite")
    _refused(
        ["estates", "--database-url", "sqlite:///afile"], here, "--database-url", "not a SQLite"
    )


def test_unwritable_evidence_dir(store: str, here: Path) -> None:
    args = ["evidence", "transition", "1", "acknowledged", "--evidence-dir", "afile"]
    _refused(args, here, "--evidence-dir", "not a folder")


def test_unreachable_dask_scheduler(store: str, here: Path) -> None:
    address = f"tcp://127.0.0.1:{_closed_port()}"
    args = ["coverage", "--estate", "e", "--executor", "dask", "--scheduler", address]
    _refused(args, here, "--scheduler", "no Dask scheduler answers", address)
    _refused(["coverage", "--scheduler", "nohost"], here, "--scheduler", "not a scheduler address")
    _refused(["coverage", "--executor", "threads"], here, "--executor", "inprocess, dask")


def test_unreachable_postgresql_server(here: Path) -> None:
    # Nothing listens on the port: every store-reading and store-making command stops at once.
    url = f"postgresql+psycopg://user@127.0.0.1:{_closed_port()}/cctvscope"
    for args in (["status"], ["init"], ["import", "cameras", "afile", "--estate", "e"]):
        _refused([*args, "--database-url", url], here, "--database-url", "no PostgreSQL server")
    folder = here / "sockets"
    folder.mkdir()
    socket_url = f"postgresql+psycopg://user@/cctvscope?host={folder}"
    _refused(["status", "--database-url", socket_url], here, "--database-url", "is it running")


@pytest.mark.parametrize(
    "args",
    [
        ["comply", "--estate", "nosuch"],
        ["economics", "--estate", "nosuch"],
        ["export", "--estate", "nosuch", "--out", "x.gpkg"],
        ["status", "--estate", "nosuch"],
    ],
)
def test_unknown_estate_is_a_usage_error(store: str, here: Path, args: list[str]) -> None:
    before = _tree(here)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "no estate named 'nosuch'" in _plain(result.output)
    assert "Traceback" not in result.output
    assert _tree(here) == before


def test_economics_out_is_an_existing_file(store: str, here: Path) -> None:
    _refused(["economics", "--estate", "e", "--out", "afile"], here, "--out", "not a folder")


@pytest.mark.parametrize(
    ("lon", "lat", "option", "words"),
    [
        ("999", "51.5", "--lon", ("between -180 and 180", "999")),
        ("-0.1", "91", "--lat", ("between -90 and 90", "91")),
        ("nan", "51.5", "--lon", ("finite",)),
    ],
)
def test_cameras_at_coordinates_out_of_range(
    store: str, here: Path, lon: str, lat: str, option: str, words: tuple[str, ...]
) -> None:
    args = ["evidence", "cameras-at", "--estate", "e", "--lon", lon, "--lat", lat]
    _refused(args, here, option, *words)


def test_cameras_at_place_outside_great_britain(store: str, here: Path) -> None:
    # Valid WGS84, but off the British National Grid: once answered "(inf, inf)".
    args = ["evidence", "cameras-at", "--estate", "e", "--lon", "100", "--lat", "10"]
    _refused(args, here, "--lon' / '--lat", "outside the British National Grid")
    args = ["evidence", "cameras-at", "--estate", "e", "--x", "-5", "--y", "180000"]
    _refused(args, here, "--x", "between 0 and 700000")


def test_rooms_and_distances(store: str, here: Path) -> None:
    base = ["options", "control-rooms", "--estate", "e"]
    _refused([*base, "--rooms", "2", "--rooms", "-1"], here, "--rooms", "at least 1", "-1")
    _refused([*base, "--max-distance-km", "0"], here, "--max-distance-km", "more than 0")
    _refused([*base, "--police-colocation-km", "nan"], here, "--police-colocation-km", "finite")


def test_clock_offset_not_finite(store: str, here: Path) -> None:
    args = ["evidence", "intake", "1", "afile", "--camera", "c", "--clock-offset-s", "nan"]
    _refused(args, here, "--clock-offset-s", "finite")


def test_estates_on_a_mistyped_path_creates_no_store(here: Path) -> None:
    text = _refused(["estates", "--database-url", "sqlite:///typo.db"], here, "--database-url")
    assert "no store at typo.db" in text and "cctvscope init" in text
    assert not (here / "typo.db").exists()


def test_default_store_must_exist_too(here: Path) -> None:
    # No option, no environment: the default ./cctvscope.db is checked as well.
    _refused(["status", "--estate", "e"], here, "--database-url", "no store at")
    assert not (here / "cctvscope.db").exists()


REGISTER = ["registry", "register", "--business", "b", "--hfov", "60", "--resolution", "1x1",
            "--contact", "c", "--estate", "e"]  # fmt: skip
LONDON = ["--lon", "-0.1", "--lat", "51.5"]
REQUEST = ["evidence", "request", "--start", "2024-01-01", "--end", "2024-01-02",
           "--x", "530000", "--y", "180000"]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["solve-sscflp", "afile", "--time-limit", "nan"], "--time-limit"),
        (["solve-sscflp", "afile", "--gap", "-1"], "--gap"),
        (["solve-sscflp", "afile", "--threads", "0"], "--threads"),
        (["coverage", "--cell-m", "0"], "--cell-m"),
        (["coverage", "--tile-m", "inf"], "--tile-m"),
        (["coverage", "--workers", "0"], "--workers"),
        (["comply", "--estate", "e", "--version", "0"], "--version"),
        (["report", "--estate", "e", "--mode", "draft"], "--mode"),
        (["cop", "show", "--estate", "e", "--pass-mark", "nan"], "--pass-mark"),
        (["estate", "create", "e", "--region", "r", "--seed", "-1"], "--seed"),
        ([*REGISTER, "--heading", "400", "--retention-days", "7", *LONDON], "--heading"),
        ([*REGISTER, "--heading", "0", "--retention-days", "-7", *LONDON], "--retention-days"),
        ([*REGISTER, "--heading", "0", "--retention-days", "7", "--northing", "-1"], "--y"),
    ],
)
def test_other_numbers(store: str, here: Path, args: list[str], option: str) -> None:
    _refused(args, here, option)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ([*REQUEST, "--cameras", "missing.csv"], "--cameras"),
        (["evidence", "intake", "1", "missing.mkv", "--camera", "c"], "file"),
        (["evidence", "verify", "missing.zip"], "package"),
        (["options", "placement", "--estate", "e", "--area", "missing.geojson"], "--area"),
    ],
)
def test_missing_input_files(store: str, here: Path, args: list[str], option: str) -> None:
    _refused(args, here, option, "missing")


# --- sweeps over the commands ----------------------------------------------------------------

FOLDER_OUT = [
    ["economics", "--estate", "e"],
    ["comply", "--estate", "e"],
    ["report", "--estate", "e"],
    ["coverage", "--estate", "e"],
    ["options", "control-rooms", "--estate", "e"],
    ["options", "monitoring", "--estate", "e"],
    ["options", "placement", "--estate", "e"],
]
FILE_OUT = [
    ["schema"],
    ["template", "survey"],
    ["template", "return"],
    ["template", "cameras"],
    ["cop", "template"],
    ["evidence", "package", "1"],
    ["evidence", "cameras-at", "--estate", "e", "--x", "530000", "--y", "180000"],
]


EXPORT = [["export", "--estate", "e"]]  # --out a file (.gpkg) or a folder (--format)


@pytest.mark.parametrize("args", FOLDER_OUT + FILE_OUT + EXPORT, ids=lambda a: " ".join(a[:2]))
def test_unwritable_out(store: str, here: Path, args: list[str]) -> None:
    # A folder cannot be made under a file, whoever runs the tests (root ignores modes).
    text = _refused([*args, "--out", "afile/sub/x.csv"], here, "--out", "afile is a file")
    assert "cannot create" in text


@pytest.mark.parametrize("args", FOLDER_OUT, ids=lambda a: " ".join(a[:2]))
def test_out_folder_is_a_file(store: str, here: Path, args: list[str]) -> None:
    _refused([*args, "--out", "afile"], here, "--out", "not a folder")


@pytest.mark.parametrize("args", FILE_OUT, ids=lambda a: " ".join(a[:2]))
def test_out_file_is_a_folder(store: str, here: Path, args: list[str]) -> None:
    (here / "folder").mkdir()
    _refused([*args, "--out", "folder"], here, "--out", "is a folder")


NEEDS_STORE = [
    ["estates"],
    ["status", "--estate", "e"],
    ["export", "--estate", "e", "--out", "x.gpkg"],
    *FOLDER_OUT,
    [*REQUEST, "--cameras", "afile"],
    ["evidence", "status", "1"],
    ["evidence", "transition", "1", "acknowledged"],
    ["evidence", "intake", "1", "afile", "--camera", "c"],
    ["evidence", "package", "1", "--out", "p.zip"],
    ["evidence", "sla"],
    ["evidence", "cameras-at", "--estate", "e", "--x", "530000", "--y", "180000"],
    [*REGISTER, "--heading", "0", "--retention-days", "7", *LONDON],
    ["registry", "list", "--estate", "e"],
    ["registry", "verify", "cam", "--estate", "e", "--status", "verified"],
    ["region", "list"],
    ["region", "show", "r"],
    ["user", "add", "u", "--role", "analyst", "--password-stdin"],
    ["user", "list"],
    ["user", "token", "u"],
    ["serve"],
    ["cop", "submit", "afile", "--estate", "e"],
    ["cop", "show", "--estate", "e"],
]


@pytest.mark.parametrize("args", NEEDS_STORE, ids=lambda a: " ".join(a[:2]))
def test_missing_store_is_not_created(here: Path, args: list[str]) -> None:
    url = "sqlite:///missing/store.db" if args[0] == "serve" else "sqlite:///store.db"
    text = _refused([*args, "--database-url", url], here, "--database-url", "no store at")
    assert "cctvscope init" in text
    assert not (here / "store.db").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["init"],
        ["estate", "create", "e", "--region", "r"],
        ["import", "cameras", "afile", "--estate", "e"],
        ["region", "create", "r", "--boundaries", "afile"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_store_creators_need_a_writable_place(here: Path, args: list[str]) -> None:
    url = "sqlite:///afile/store.db"
    _refused([*args, "--database-url", url], here, "--database-url", "afile is a file")


def test_init_makes_the_store_folder(here: Path) -> None:
    result = runner.invoke(app, ["init", "--database-url", "sqlite:///new/store.db"])
    assert result.exit_code == 0, result.output
    assert (here / "new" / "store.db").is_file()


def test_dry_run_import_creates_no_store(here: Path) -> None:
    (here / "cams.csv").write_text("id,lon,lat\nA,-0.1,51.5\n", encoding="utf-8")
    args = ["import", "cameras", "cams.csv", "--estate", "e", "--dry-run"]
    result = runner.invoke(app, [*args, "--database-url", "sqlite:///store.db"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert not (here / "store.db").exists()


def test_a_store_is_made_only_by_its_creators(here: Path) -> None:
    url = f"sqlite:///{here / STORE_FILE}"
    assert runner.invoke(app, ["init", "--database-url", url]).exit_code == 0
    result = runner.invoke(app, ["estates", "--database-url", url])
    assert result.exit_code == 0, result.output


# --- the checks themselves -------------------------------------------------------------------


def test_out_dir_accepts_a_new_folder_and_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert validate.out_dir(target) == target
    assert list(tmp_path.iterdir()) == []


def test_number_bounds() -> None:
    assert validate.positive(1.5) == 1.5
    assert validate.at_least_one([1, 2]) == [1, 2]
    assert validate.finite(None) is None
    with pytest.raises(Exception, match="more than 0"):
        validate.positive(0.0)
    with pytest.raises(Exception, match="finite"):
        validate.share(float("nan"))


def test_bng_point_inside_london() -> None:
    x, y = validate.bng_point(-0.1276, 51.5072)
    assert 520_000 < x < 540_000 and 170_000 < y < 190_000


def _commands(command: object, path: str = "") -> list[tuple[str, object]]:
    """Every leaf command under ``command`` with its name (Typer has its own Click inside)."""
    subs: dict[str, object] = getattr(command, "commands", {})
    if not subs:
        return [(path, command)]
    return [pair for name, sub in subs.items() for pair in _commands(sub, f"{path} {name}".strip())]


def test_every_command_checks_its_store_outputs_and_numbers() -> None:
    # A guard for commands added later: each store URL, output path and float has a check.
    unchecked = [
        f"{name} {param.name}"
        for name, command in _commands(typer.main.get_command(app))
        for param in getattr(command, "params", [])
        if param.callback is None
        and (
            param.name in {"database_url", "out", "evidence_dir", "scheduler"}
            or getattr(getattr(param, "type_descriptor", None), "annotation", None) is float
        )
    ]
    assert unchecked == []
