"""``cctvscope cop``: the Surveillance Camera Code of Practice self-assessment.

``template`` writes the answers file a borough fills in, ``submit`` validates,
scores and stores it (any error stores nothing, exit 2), ``show`` lists the
latest assessment of each borough. Registered by the main app as
``app.add_typer(cop_app, name="cop")``; this module does not import
:mod:`cctvscope.cli.main`, so either may be imported first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cctvscope.cli.common import DbOption, fail, store_url
from cctvscope.cli.mirrors import DEFAULT_PASS_MARK, DEFAULT_QUESTIONNAIRE
from cctvscope.cli.render import console, err_console, findings_table
from cctvscope.cli.validate import out_file, share
from cctvscope.errors import CctvscopeError, InputError

if TYPE_CHECKING:  # heavy (pandas, GeoPandas): imported by the commands that run, not by --help
    from cctvscope.standards.selfassessment import Assessment

cop_app = typer.Typer(
    help="Surveillance Camera Code of Practice self-assessment (12 guiding principles).",
    no_args_is_help=True,
)

EXIT_ERROR = 1
EXIT_INPUT_ERROR = 2

QuestionnaireOption = Annotated[
    str, typer.Option("--questionnaire", help="Bundled questionnaire name.")
]


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def _scores_table(assessment: Assessment, *, title: str) -> Table:
    table = Table(title=title, caption=f"pass mark {assessment.pass_mark:.0%} per principle")
    for col, justify in (
        ("principle", "right"),
        ("title", "left"),
        ("answered", "right"),
        ("n/a", "right"),
        ("share", "right"),
        ("passed", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for p in assessment.principles:
        passed = "-" if p.passed is None else ("yes" if p.passed else "[red]no[/red]")
        table.add_row(
            str(p.number),
            p.title,
            str(p.answered),
            str(p.not_applicable),
            _percent(p.share),
            passed,
        )
    return table


@cop_app.command("template")
def template_cmd(
    out: Annotated[
        Path, typer.Option("--out", help="Answers file to write (.yaml).", callback=out_file)
    ],
    questionnaire: QuestionnaireOption = DEFAULT_QUESTIONNAIRE,
) -> None:
    """Write the blank answers file a borough fills in."""
    from cctvscope.standards.selfassessment import answers_template, read_questionnaire

    try:
        text = answers_template(read_questionnaire(questionnaire))
    except CctvscopeError as exc:
        raise fail(exc) from exc
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        err_console.print(f"[red]error:[/red] cannot write {out}: {exc}")
        raise typer.Exit(code=EXIT_ERROR) from exc
    console.print(f"wrote {out}")


@cop_app.command("submit")
def submit_cmd(
    file: Annotated[Path, typer.Argument(help="Filled-in answers file (.yaml).")],
    estate: Annotated[str, typer.Option("--estate", help="Estate whose borough is assessed.")],
    questionnaire: QuestionnaireOption = DEFAULT_QUESTIONNAIRE,
    pass_mark: Annotated[
        float, typer.Option(help="Share each principle must reach.", callback=share)
    ] = DEFAULT_PASS_MARK,
    database_url: DbOption = None,
) -> None:
    """Validate, score and store a self-assessment; any error stores nothing (exit 2)."""
    from cctvscope.standards.selfassessment import parse_answers, read_questionnaire, score
    from cctvscope.store import estate_borough_codes, init_store, save_assessment

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err_console.print(f"[red]error:[/red] cannot read {file}: {exc}")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    try:
        form = read_questionnaire(questionnaire)
        engine = init_store(store_url(database_url))
        boroughs = estate_borough_codes(engine, estate)
        answers = parse_answers(text, form, boroughs=boroughs)
        assessment = score(answers, form, pass_mark=pass_mark)
        row_id = save_assessment(engine, estate, assessment, answers)
    except InputError as exc:
        err_console.print(findings_table(exc.errors, title=f"Errors in {file.name}"))
        err_console.print(f"[red]{exc}; nothing was stored[/red]")
        raise typer.Exit(code=EXIT_INPUT_ERROR) from exc
    except CctvscopeError as exc:
        raise fail(exc) from exc
    title = f"Code of Practice self-assessment: {answers.borough_code} ({answers.assessed_on})"
    console.print(_scores_table(assessment, title=title))
    verdict = "meets the Code" if assessment.meets_code else "does not meet the Code"
    console.print(
        f"overall {assessment.overall_share:.0%}; {assessment.principles_passed} of "
        f"{assessment.principles_applicable} applicable principles passed; {verdict}; "
        f"stored as assessment {row_id} of estate {estate!r}"
    )


@cop_app.command("show")
def show_cmd(
    estate: Annotated[str, typer.Option("--estate", help="Estate to show.")],
    pass_mark: Annotated[
        float, typer.Option(help="Share each principle must reach.", callback=share)
    ] = DEFAULT_PASS_MARK,
    database_url: DbOption = None,
) -> None:
    """The latest self-assessment of each borough: overall share, verdict, weakest principle."""
    from cctvscope.store import init_store, latest_assessments

    try:
        engine = init_store(store_url(database_url))
        frame = latest_assessments(engine, estate, pass_mark=pass_mark)
    except CctvscopeError as exc:
        raise fail(exc) from exc
    if frame.empty:
        console.print(f"no Code of Practice self-assessments stored for estate {estate!r}")
        return
    table = Table(
        title=f"Code of Practice self-assessments: {estate}",
        caption=f"pass mark {pass_mark:.0%} per principle",
    )
    for col, justify in (
        ("borough", "left"),
        ("assessed on", "left"),
        ("overall share", "right"),
        ("meets code", "left"),
        ("weakest principle", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in frame.to_dict("records"):
        weakest = int(row["weakest_principle"])
        table.add_row(
            str(row["borough_code"]),
            str(row["assessed_on"]),
            f"{float(row['overall_share']):.0%}",
            "yes" if row["meets_code"] else "[red]no[/red]",
            f"P{weakest} ({float(row[f'P{weakest}']):.0%})",
        )
    console.print(table)
