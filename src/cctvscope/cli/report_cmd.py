"""``cctvscope report``: the technical and strategic guide as HTML and PDF.

Registered by the main app as ``app.command()(report)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cctvscope.cli.common import (
    DbOption,
    OutDirOption,
    VersionOption,
    VisibilityPolygonsOption,
    fail,
    store_url,
)
from cctvscope.cli.render import console, steps
from cctvscope.cli.validate import one_of
from cctvscope.errors import CctvscopeError

MODES = ("final", "interim")


def report(
    estate: Annotated[str, typer.Option("--estate", help="Estate to report on.")],
    out: OutDirOption = Path("out"),
    mode: Annotated[
        str,
        typer.Option(
            help="final (everything) or interim (data returned so far by borough, gaps and "
            "outstanding requests, provisional findings).",
            callback=one_of(*MODES),
        ),
    ] = "final",
    version: VersionOption = None,
    database_url: DbOption = None,
    visibility_polygons: VisibilityPolygonsOption = False,
) -> None:
    """Run the whole assessment of an estate: every output file and the guide (HTML, PDF).

    The same pipeline as ``cctvscope demo``; London's estate also gets the worked
    evidence request when the demo has stored it and its vault is in ``--out``.
    """
    from cctvscope.cli.main import print_assessment
    from cctvscope.reporting.outputs import WRITERS
    from cctvscope.store import init_store, load_estate
    from cctvscope.workflows.evidence import has_worked_example
    from cctvscope.workflows.pipeline import run_pipeline

    try:
        with steps("report") as progress:
            task = progress.add_task("Loading the estate", total=None)

            def on_step(message: str) -> None:
                progress.update(task, description=message)

            engine = init_store(store_url(database_url))
            loaded = load_estate(engine, estate, version)
            run = run_pipeline(
                engine,
                loaded,
                out,
                WRITERS,
                mode="final" if mode == "final" else "interim",
                worked_example=has_worked_example(engine, out / "evidence_vault"),
                on_step=on_step,
                visibility_polygons=visibility_polygons,
            )
            on_step("Done")
    except CctvscopeError as exc:
        raise fail(exc) from exc
    print_assessment(run)
    console.print(f"wrote {len(run.files)} files in {out}")
