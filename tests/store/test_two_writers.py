"""Two writers at once on each backend: one version wins, the other is refused, none is lost."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from cctvscope.errors import StoreError
from cctvscope.model import Estate
from cctvscope.store import list_estates, load_estate, save_estate

#: Rounds of the race (each a fresh pair of writers on the latest version).
ROUNDS = 5


def _with_camera_ids(estate: Estate, suffix: str) -> Estate:
    cams = estate.cameras.copy()
    cams["camera_id"] = cams["camera_id"].astype(str) + suffix
    links = estate.links.copy()
    links["camera_id"] = links["camera_id"].astype(str) + suffix
    links["link_id"] = links["link_id"].astype(str) + suffix
    return estate.replace_tables(cameras=cams, links=links)


def _race(
    store: sa.Engine, changes: dict[str, Estate], version: int
) -> tuple[list[str], list[str]]:
    """Save every change at once, each computed from ``version``: who won, who was refused."""
    barrier = threading.Barrier(len(changes))
    won: list[str] = []
    refused: list[str] = []

    def write(who: str) -> None:
        barrier.wait()
        try:
            save_estate(store, changes[who], based_on=version)
            won.append(who)
        except StoreError:
            refused.append(who)

    threads = [threading.Thread(target=write, args=(w,)) for w in changes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, refused


def test_two_writers_one_wins_one_is_refused(store: sa.Engine, estate: Estate) -> None:
    save_estate(store, estate)
    for n in range(ROUNDS):
        base = load_estate(store, estate.name)
        assert base.version is not None
        changes = {w: _with_camera_ids(base, f"-{w}{n}") for w in ("a", "b")}
        won, refused = _race(store, changes, base.version)
        assert len(won) == 1 and len(refused) == 1, (won, refused)
        latest = load_estate(store, estate.name)
        assert latest.version == base.version + 1
        # The stored version is the winner's, whole: every one of its cameras is there.
        expected = set(changes[won[0]].cameras["camera_id"])
        assert set(latest.cameras["camera_id"]) == expected
    versions = [i.version for i in list_estates(store) if i.name == estate.name]
    assert sorted(versions) == list(range(1, ROUNDS + 2))
    assert pd.Series(versions).is_unique


@pytest.mark.parametrize("writers", [3])
def test_writers_that_retry_lose_nothing(store: sa.Engine, estate: Estate, writers: int) -> None:
    """Each writer adds its own cameras and, when refused, re-reads and tries again:
    the last version holds every writer's cameras."""
    save_estate(store, estate)
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def add(who: int) -> None:
        try:
            _add(who)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    def _add(who: int) -> None:
        barrier.wait()
        for _attempt in range(20):
            base = load_estate(store, estate.name)
            assert base.version is not None
            mine = _with_camera_ids(estate, f"-w{who}")
            merged = base.replace_tables(
                cameras=pd.concat([base.cameras, mine.cameras], ignore_index=True),
                links=pd.concat([base.links, mine.links], ignore_index=True),
            )
            try:
                save_estate(store, merged, based_on=base.version)
                return
            except StoreError:
                continue
        raise AssertionError(f"writer {who} never saved")

    threads = [threading.Thread(target=add, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    latest = load_estate(store, estate.name)
    assert latest.version == writers + 1
    assert len(latest.cameras) == len(estate.cameras) * (writers + 1)
