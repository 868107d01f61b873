"""``records``: a frame's rows as JSON-safe dicts, column by column."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cctvscope.web.data import clean, records


def test_records_equal_pandas_row_dicts_cleaned():
    frame = pd.DataFrame(
        {
            "n": [1, 2],
            "x": [np.nan, 2.5],
            "s": ["a", None],
            "at": pd.to_datetime(["2020-01-01", None]),
            "kind": pd.Categorical(["p", "q"]),
            "ok": [True, False],
            "count": pd.array([1, None], dtype="Int64"),
        }
    )
    # The second method: pandas' own row dicts, each cell cleaned.
    expected = [{k: clean(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
    got = records(frame)
    assert got == expected
    assert [type(v) for v in got[1].values()] == [type(v) for v in expected[1].values()]
    assert got[1] == {"n": 2, "x": 2.5, "s": None, "at": None, "kind": "q", "ok": False,
                      "count": None}  # fmt: skip
    assert records(frame, ["x", "n"]) == [{"x": None, "n": 1}, {"x": 2.5, "n": 2}]
    assert records(frame.iloc[:0]) == []
