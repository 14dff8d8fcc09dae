"""The `newsdesk` command line: each command is a thin wrapper over a function of the package."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterator, NoReturn, Sequence

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from extractors import Document, ExtractionError, extract
from newsdesk.corpus.ingest import IngestResult
from newsdesk.corpus.store import DEFAULT_DB, CrawlRun, Store, StoreError
from newsdesk.corpus.workers import EXTRACT_TIMEOUT_SECONDS
from newsdesk.devtools.body_training import DEFAULT_WEIGHTING as default_weighting
from newsdesk.devtools.body_training import WEIGHTINGS as training_weightings
from newsdesk.devtools.evaluation import PARTS as evaluation_parts

console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)

NO_CORPUS_YET = "run `newsdesk replay` or `newsdesk crawl` first"

db_option = click.option("--db", "db_path", default=str(DEFAULT_DB), show_default=True, type=click.Path(dir_okay=False),
                         help="Corpus database (SQLite).")


def exit_for_store_error(command: str, reason: str) -> NoReturn:
    """A database that cannot be used ends `newsdesk COMMAND` with one line and exit code 1, not a traceback."""
    error_console.print(f"newsdesk {command}: {reason}", markup=False)  # paths and SQLite's words may hold [brackets]
    sys.exit(1)


@contextmanager
def reporting_store_errors(command: str) -> Iterator[None]:
    try:
        yield
    except StoreError as error:
        exit_for_store_error(command, error.reason)


@contextmanager
def open_corpus(command: str, db_path: str, *, missing: str | None = None, writes: bool = True) -> Iterator[Store]:
    """The corpus for `newsdesk COMMAND`, closed afterwards. With `missing` (what to do first), a database
    that does not exist is refused instead of created; a command that `writes` refuses a read-only one
    before it starts."""
    if missing and not Path(db_path).exists():
        error_console.print(f"newsdesk {command}: no corpus at {db_path} ({missing})")
        sys.exit(1)
    with reporting_store_errors(command), Store(db_path) as store:
        if writes:
            store.check_writable()
        yield store


# Libraries that log (with tracebacks) about input they cannot parse; the input's one-line reason says it.
QUIET_LIBRARIES = ("boilerpy3", "trafilatura", "htmldate", "readability", "justext", "courlan", "charset_normalizer",
                   "langdetect", "warcio")


def debugging() -> bool:
    return os.environ.get("NEWSDESK_DEBUG", "") not in ("", "0")


class NewsdeskCommands(click.Group):
    """The command group: whatever goes wrong ends a command with one line on stderr and exit code 1, never a
    traceback, unless `newsdesk --debug` asks for one."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except StoreError as error:
            exit_for_store_error(ctx.invoked_subcommand or "", error.reason)
        except Exception as error:
            if debugging():
                raise
            reason = " ".join(str(error).split()) or "no further detail"
            error_console.print(f"newsdesk {ctx.invoked_subcommand or ''}: {type(error).__name__}: {reason} "
                                "(`newsdesk --debug ...` shows the traceback)", markup=False)
            sys.exit(1)


@click.group(cls=NewsdeskCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsdesk")
@click.option("--debug", is_flag=True, help="Show tracebacks and the libraries' own log records (to report a bug).")
def main(debug: bool) -> None:
    """newsdesk: crawl and replay news articles into a clean SQLite corpus."""
    import logging

    if debug:
        os.environ["NEWSDESK_DEBUG"] = "1"  # for this process and the commands it starts (scheduled jobs)
    if not debugging():
        for name in QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)


workers_option = click.option(
    "--workers", type=click.IntRange(min=-1), default=-1, show_default=True,
    help="Extraction worker processes (-1: one per CPU; 0: extract in this process, for debugging).")
extract_timeout_option = click.option(
    "--extract-timeout", type=click.FloatRange(min=0.1), default=EXTRACT_TIMEOUT_SECONDS, show_default=True,
    help="Seconds one page may take to extract; past it the page fails and its worker is replaced.")


def progress_bar(verb: str, total: int | None, show: bool) -> tuple[Progress, Callable[[IngestResult], None]]:
    """A progress bar on stderr, and the callback that advances it and prints each failure on one line."""
    progress = Progress(TextColumn(verb), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.fields[name]}"), console=error_console, disable=not show, transient=True)
    task = progress.add_task(verb, total=total, name="")

    def advance(result: IngestResult) -> None:
        progress.update(task, name=Path(result.origin).name[:40])
        if result.status == "failed":
            progress.console.print(Text.assemble(("failed", "red"), f" {_printable(result.origin)}: {result.reason}"))
        progress.advance(task)

    return progress, advance


def _printable(origin: str) -> str:
    """File names may hold newlines or control characters; show them escaped on one line."""
    return origin.encode("unicode_escape").decode("ascii") if not origin.isprintable() else origin


def _day(value: str | None, option: str) -> str | None:
    """A --since/--until value as YYYY-MM-DD."""
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise click.BadParameter(f"expected a date like 2024-03-01, got {value!r}", param_hint=option) from None


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@workers_option
@extract_timeout_option
@click.option("--domain", "domains", multiple=True, help="Only pages on this host or its subdomains (repeatable).")
@click.option("--language", "languages", multiple=True, help="Only articles in this language, ISO 639-1 (repeatable).")
@click.option("--since", default=None, metavar="DATE", help="Only articles published (else fetched) on or after DATE.")
@click.option("--until", default=None, metavar="DATE", help="Only articles published (else fetched) on or before DATE.")
@click.option("--from-start", is_flag=True, help="Read web archives from their start, not from where their last replay stopped.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def replay(paths: tuple[str, ...], db_path: str, workers: int, extract_timeout: float, domains: tuple[str, ...],
           languages: tuple[str, ...], since: str | None, until: str | None, from_start: bool, quiet: bool,
           as_json: bool) -> None:
    """Ingest saved captures (.txt), pages (.html/.htm) and web archives (.warc/.arc, also .gz) from files or
    folders, recursively."""
    from newsdesk.corpus.inputs import ReplayFilters
    from newsdesk.corpus.replay import count_inputs, replay as replay_paths

    filters = ReplayFilters(tuple(domain.lower().strip(".") for domain in domains),
                            tuple(language.lower() for language in languages), _day(since, "--since"), _day(until, "--until"))
    progress, advance = progress_bar("replay", count_inputs(list(paths)), show=not quiet and not as_json and sys.stderr.isatty())
    try:
        with open_corpus("replay", db_path) as store, progress, _stopped_by_sigterm():
            summary = replay_paths(list(paths), store, workers=workers, timeout=extract_timeout, filters=filters,
                                   from_start=from_start, on_result=advance,
                                   on_warning=lambda line: progress.console.print(f"warning: {line}", markup=False))
    except KeyboardInterrupt:
        error_console.print("replay stopped; run it again to go on where it stopped")
        sys.exit(130)
    if as_json:
        click.echo(json.dumps({**summary.to_dict(), "db": db_path}))
    if not summary.total:  # nothing was found: said so, instead of a line of zeros
        error_console.print(f"newsdesk replay: no files to replay in {', '.join(paths)}", markup=False)
        sys.exit(1)
    if not as_json:
        console.print(f"replay: {summary.line()} -> {db_path}")
    if summary.stored == 0 and summary.counts["failed"]:
        sys.exit(1)


@contextmanager
def _stopped_by_sigterm():
    """SIGTERM stops a replay as Ctrl-C does: the workers are stopped and every settled record is kept."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@main.command("export")
@db_option
@click.option("--warc", "warc_file", required=True, type=click.Path(dir_okay=False),
              help="Write every raw input kept in the corpus to this WARC/1.1 file (gzipped if it ends in .gz).")
def export_command(db_path: str, warc_file: str) -> None:
    """Export the raw inputs kept in the corpus (fetched pages and replayed files) as a WARC file."""
    from newsdesk.corpus.warc import export_warc

    with open_corpus("export", db_path, missing=NO_CORPUS_YET, writes=False) as store:
        count = export_warc(store, warc_file)
    console.print(f"export: {count} raw inputs -> {warc_file}")


@main.command("extract")
@click.argument("source", metavar="FILE|URL|-")
@click.option("--url", default=None, help="The page's URL (helps metadata and outlet); a fetched page's own URL by default.")
@click.option("--content-type", default=None, help="Force 'text/html' or 'text/plain' instead of sniffing.")
@click.option("--removed/--no-removed", default=False, help="Include the list of removed lines in the output.")
def extract_command(source: str, url: str | None, content_type: str | None, removed: bool) -> None:
    """Print the Article extracted from a file, a web page (one polite fetch: robots.txt obeyed) or standard
    input (-) as JSON (no database)."""
    from newsdesk.corpus.urls import is_http_url

    content: bytes | Document
    if source == "-":
        content = sys.stdin.buffer.read()
    elif is_http_url(source) or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source):
        from newsdesk.ops.fetch import FetchError, fetch_page

        try:
            content = fetch_page(source).document(source)
        except FetchError as error:
            error_console.print(f"newsdesk extract: cannot fetch {source}: {error.reason}", markup=False)
            sys.exit(2)
    else:
        try:
            content = Path(source).read_bytes()
        except OSError as error:
            error_console.print(f"newsdesk extract: cannot read {source}: {error.strerror or error}", markup=False)
            sys.exit(2)
    try:
        article = extract(content, url, content_type=content_type)
    except ExtractionError as error:
        error_console.print(f"newsdesk extract: {'standard input' if source == '-' else source}: {error.reason}", markup=False)
        sys.exit(1)
    data = article.to_dict()
    if not removed:
        data.pop("removed")
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(db_path: str, as_json: bool) -> None:
    """Summarize the corpus: counts, outlets, languages, failures."""
    with open_corpus("stats", db_path, missing=NO_CORPUS_YET, writes=False) as store:
        summary = store.stats()
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"corpus {summary['path']}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in summary["counts"].items():
        table.add_row(name, str(count))
    console.print(table)
    console.print(f"words in article bodies: {summary['words']:,}")
    if summary["dead_links"]:
        console.print(f"dead links met while following links (all crawl runs): {summary['dead_links']:,}")
    for heading, key in (("outlets", "by_outlet"), ("languages", "by_language"), ("failures by stage", "failures_by_stage")):
        if summary[key]:
            console.print(f"{heading}: " + ", ".join(f"{name} {count}" for name, count in summary[key].items()))


@main.command("reextract")
@db_option
@click.option("--all", "everything", is_flag=True, help="Re-extract every article, not only those from older extractor versions.")
@workers_option
@extract_timeout_option
def reextract_command(db_path: str, everything: bool, workers: int, extract_timeout: float) -> None:
    """Run the current extractor again over the raw inputs kept in the corpus."""
    from newsdesk.corpus.reextract import reextract

    progress, advance = progress_bar("reextract", None, show=sys.stderr.isatty())
    with open_corpus("reextract", db_path, missing=NO_CORPUS_YET) as store, progress:
        summary = reextract(store, only_outdated=not everything, workers=workers, timeout=extract_timeout, on_result=advance)
    console.print(f"reextract: {summary.line()}")


def _quiet_extractor_logs() -> None:
    """trafilatura and boilerpy3 log (with tracebacks) about pages they cannot parse; the page's score says it."""
    import logging

    for name in ("trafilatura", "boilerpy3"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[str | list[str]]], *, right: Sequence[str] = ()) -> None:
    """A table on a terminal; piped or redirected, one tab-separated line per row under a header line, so
    `grep`, `cut` and `awk` see whole values whatever the width (a cell's list is joined by spaces). `right`:
    the columns aligned right in the table."""
    if console.is_terminal:
        table = Table()
        for column in columns:  # wrap, never cut, in narrow terminals
            table.add_column(column, overflow="fold", justify="right" if column in right else "left")
        for row in rows:
            table.add_row(*["\n".join(cell) if isinstance(cell, list) else cell for cell in row])
        console.print(table)
        return
    for row in [list(columns), *rows]:
        cells = [" ".join(cell) if isinstance(cell, list) else cell for cell in row]
        click.echo("\t".join(" ".join(cell.split()) for cell in cells))


weighting_option = click.option(
    "--weighting", type=click.Choice(training_weightings), default=default_weighting, show_default=True,
    help="Training: every dataset and every page within it weighs the same ('datasets'), "
         "or every block by its dataset's kind ('kinds').")


@main.command("stories")
@db_option
@click.option("--since", default=None, metavar="DATE",
              help="Only stories with an article published on or after DATE (YYYY-MM-DD).")
@click.option("--min-outlets", default=0, type=click.IntRange(min=0),
              help="Only stories covered by at least this many outlets (an article without a known outlet counts by its site).")
@click.option("--limit", default=None, type=click.IntRange(min=1), help="At most this many stories.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--rebuild", is_flag=True, help="First recompute every story from the stored articles (deterministic).")
def stories_command(db_path: str, since: str | None, min_outlets: int, limit: int | None, as_json: bool, rebuild: bool) -> None:
    """List stories (syndicated copies and coverage of one event grouped), newest first, with their outlets."""
    from newsdesk.corpus.stories import publication_day, rebuild_stories

    if since is not None and publication_day(since) is None:
        raise click.BadParameter(f"expected a date like 2024-02-20, got {since!r}", param_hint="--since")
    with open_corpus("stories", db_path, missing=NO_CORPUS_YET, writes=rebuild) as store:
        if rebuild:
            report = rebuild_stories(store)
            error_console.print(f"stories: rebuilt {report.stories} stories from {report.articles} articles "
                                f"({report.copies} near-copies) in {report.seconds:.1f}s")
        overviews = store.stories(since=since, min_outlets=min_outlets, limit=limit)
        without = store.story_totals().articles_without_story
    if as_json:
        click.echo(json.dumps([asdict(overview) for overview in overviews], ensure_ascii=False, indent=2))
    else:
        print_rows(("id", "title", "first published", "last published", "articles", "outlets"),
                   [[str(overview.story_id), overview.title or "", overview.first_published or "",
                     overview.last_published or "", str(overview.article_count),
                     f"{overview.outlet_count}: " + ", ".join(overview.outlets) if overview.outlets else "0"]
                    for overview in overviews], right=("id", "articles"))
    if without:
        error_console.print(f"{without} articles have no story yet (stored before stories): run `newsdesk stories --rebuild`")


@main.command("story")
@click.argument("story_id", type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def story_command(story_id: int, db_path: str, as_json: bool) -> None:
    """Show one story: its articles, which of them are copies, and of what."""
    with open_corpus("story", db_path, missing=NO_CORPUS_YET, writes=False) as store:
        found = store.story(story_id)
    if found is None:
        error_console.print(f"newsdesk story: no story {story_id}")
        sys.exit(1)
    overview, members = found
    if as_json:
        click.echo(json.dumps({**asdict(overview), "articles": [asdict(member) for member in members]},
                              ensure_ascii=False, indent=2))
        return
    console.print(f"story {overview.story_id}: {overview.title or '(untitled)'}", markup=False)
    console.print(f"published {overview.first_published or '?'} .. {overview.last_published or '?'}; "
                  f"{overview.article_count} articles from {overview.outlet_count} outlets")
    print_rows(("article", "published", "outlet", "title", "copy of", "url"),
               [[str(member.article_id), member.published or "", member.outlet or "", member.title or "",
                 str(member.copy_of) if member.copy_of is not None else "", member.url or ""] for member in members])


@main.command("eval")
@click.argument("dataset_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--system", "systems", multiple=True, help="Systems to score (default: newsdesk and the references).")
@click.option("--limit", type=int, default=None, help="Only the first N pages (sorted by id).")
@click.option("--sample", type=int, default=None, help="Only every K-th page: a small fixed sample.")
@click.option("--part", type=click.Choice(evaluation_parts), default="all", show_default=True,
              help="All pages, or only the tuning sites, or only the held-out third of sites.")
@click.option("--worst", type=int, default=0, show_default=True,
              help="List the N pages per dataset where newsdesk's body falls furthest below the reference's.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Vote with this body model instead of the shipped one.")
@click.option("--leave-one-out", "leave_out", is_flag=True,
              help="Score each dataset with a body model trained on the other datasets (needs scikit-learn).")
@click.option("--training-part", type=click.Choice(["tuning", "all"]), default="tuning", show_default=True,
              help="With --leave-one-out: train on the other datasets' tuning sites only, or on all their pages.")
@weighting_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def eval_command(dataset_dirs: tuple[str, ...], systems: tuple[str, ...], limit: int | None, sample: int | None, part: str,
                 worst: int, model_path: str | None, leave_out: bool, training_part: str, weighting: str, as_json: bool) -> None:
    """Score newsdesk beside reference extractors on datasets (each folder a dataset, its kind recognised from
    its files, or a folder of datasets), one table per dataset and a summary."""
    from newsdesk.devtools.body_training import leave_one_out
    from newsdesk.devtools.evaluation import iter_tables, run_evals, summary_rows

    _quiet_extractor_logs()
    if leave_out and model_path:
        error_console.print("newsdesk eval: --leave-one-out trains its own models; it takes no --model")
        sys.exit(2)
    options = dict(systems=list(systems) or None, limit=limit, sample=sample, part=part)
    progress = None if as_json else (lambda message: error_console.print(f"[dim]{message}[/dim]"))
    try:
        if leave_out:
            folds = leave_one_out(list(dataset_dirs), training_part=training_part, weighting=weighting, progress=progress,
                                  **options)
            reports = [fold.report for fold in folds]
            heading = f"left out: each dataset scored with a body model trained on the others' {training_part} pages"
        else:
            folds, reports = [], run_evals(list(dataset_dirs), models_path=model_path, progress=progress, **options)
            heading = "summary"
    except ImportError as error:
        error_console.print(f"newsdesk eval: {error.name} is missing; install it with: pip install -e '.[train]'")
        sys.exit(2)
    except (ValueError, KeyError) as error:
        error_console.print(f"newsdesk eval: {error}")
        sys.exit(2)
    if as_json:
        document = {"datasets": [report.to_dict(worst) for report in reports], "summary": summary_rows(reports)}
        if folds:
            document["trained_on"] = {fold.report.name: fold.trained_on for fold in folds}
        click.echo(json.dumps(document, indent=2))
        return
    for table in iter_tables(reports, worst=worst, heading=heading):
        click.echo(table)
        click.echo()


@main.command("train-body")
@click.argument("dataset_dirs", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--part", type=click.Choice(["tuning", "all"]), default="tuning", show_default=True,
              help="Train on the tuning sites only (keeps `eval --part held-out` honest), or on every page.")
@click.option("--threshold", type=float, default=0.5, show_default=True, help="Keep blocks scored at least this.")
@weighting_option
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Where to write the model (default: the shipped one).")
def train_body_command(dataset_dirs: tuple[str, ...], part: str, threshold: float, weighting: str, out: str | None) -> None:
    """Train the body voter on dev sets with gold (each folder a dataset, or a folder of datasets; needs
    scikit-learn: pip install -e '.[train]')."""
    from newsdesk.devtools.body_training import MODEL_PATH, train_body_model

    _quiet_extractor_logs()
    target = Path(out) if out else MODEL_PATH
    try:
        trained_on = train_body_model(list(dataset_dirs), part=part, threshold=threshold, weighting=weighting, out=target)
    except ImportError as error:
        error_console.print(f"newsdesk train-body: {error.name} is missing; install it with: pip install -e '.[train]'")
        sys.exit(2)
    except ValueError as error:
        error_console.print(f"newsdesk train-body: {error}")
        sys.exit(2)
    for name, counts in trained_on["datasets"].items():
        skipped = ", ".join(f"{count} {reason}" for reason, count in counts["skipped"].items())
        learnt = (f"{counts['pages']} pages, {counts['labelled_blocks']} labelled blocks" if counts["pages"]
                  else "nothing to learn from")
        console.print(f"{name}: {learnt}" + (f" (not labelled: {skipped})" if skipped else ""))
    console.print(f"model written to {target}")


@main.group()
def jobs() -> None:
    """Scheduled crawl jobs from a TOML jobs file."""


jobs_file_option = click.option("--jobs", "jobs_file", required=True, type=click.Path(dir_okay=False),
                                help="The jobs file (TOML).")


def _load_jobs_or_exit(jobs_file: str):
    from newsdesk.ops.jobs import JobsFileError, load_jobs

    try:
        return load_jobs(jobs_file)
    except JobsFileError as error:
        error_console.print(f"newsdesk: {error}")
        sys.exit(2)


@jobs.command("list")
@jobs_file_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def jobs_list(jobs_file: str, as_json: bool) -> None:
    """List the jobs of a jobs file with their schedules."""
    loaded = _load_jobs_or_exit(jobs_file)
    if as_json:
        click.echo(json.dumps([{**asdict(job), "schedule": job.schedule} for job in loaded], ensure_ascii=False, indent=2))
        return
    print_rows(("job", "schedule", "start urls", "feeds", "sitemaps", "max pages", "recrawl after"),
               [[job.name, job.schedule, job.start_urls, job.feeds, job.sitemaps, str(job.max_pages or ""),
                 f"{job.recrawl_after}s" if job.recrawl_after is not None else ""] for job in loaded])


@jobs.command("run")
@click.argument("name")
@jobs_file_option
@db_option
def jobs_run(name: str, jobs_file: str, db_path: str) -> None:
    """Run one job now (for system cron and systemd timers). Refuses if the job is already running."""
    from newsdesk.ops.jobs import JobsFileError, find_job, run_job

    try:
        job = find_job(_load_jobs_or_exit(jobs_file), name)
    except JobsFileError as error:
        error_console.print(f"newsdesk: {error}")
        sys.exit(2)
    with reporting_store_errors("jobs run"):
        result = run_job(job, db_path)
    (console if result.status == "ok" else error_console).print(result.message)
    if result.status == "interrupted":
        sys.exit(128 + (result.signal or 2))  # SIGINT: 130, SIGTERM: 143
    sys.exit({"ok": 0, "refused": 3}.get(result.status, 1))


@jobs.command("history")
@db_option
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def jobs_history(db_path: str, limit: int, as_json: bool) -> None:
    """The most recent crawl runs recorded in the corpus."""
    with open_corpus("jobs history", db_path, missing="no job has run against it yet", writes=False) as store:
        runs = store.crawl_runs(limit)
    if as_json:
        click.echo(json.dumps([asdict(run) for run in runs], ensure_ascii=False, indent=2))
        return
    columns = [name for name in CrawlRun.__dataclass_fields__ if name != "pid"]
    print_rows([column.replace("_", " ") for column in columns],
               [[str(value) if (value := getattr(run, column)) is not None else "" for column in columns] for run in runs])


@main.command()
@click.argument("jobs_file", type=click.Path(dir_okay=False))
@db_option
def schedule(jobs_file: str, db_path: str) -> None:
    """Run the jobs of JOBS_FILE on their schedules until stopped (Ctrl-C or SIGTERM)."""
    from newsdesk.ops.jobs import JobsFileError
    from newsdesk.ops.scheduler import JobScheduler

    try:
        scheduler = JobScheduler(jobs_file, db_path, log=lambda line: console.print(line))
    except JobsFileError as error:
        error_console.print(f"newsdesk: {error}")
        sys.exit(2)
    scheduler.run()


def _parse_setting(pairs: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        if not key or not _:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--set")
        settings[key.strip()] = value
    return settings


@main.command("crawl")
@click.argument("start_urls", nargs=-1)
@click.option("--feed", "feeds", multiple=True, help="RSS or Atom feed to read article links from (repeatable).")
@click.option("--sitemap", "sitemaps", multiple=True, help="Sitemap or sitemap index (repeatable).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Send at most this many requests (robots.txt not counted).")
@click.option("--allow-domain", "allow_domains", multiple=True, help="Another host the crawl may follow links to (repeatable).")
@click.option("--recrawl-after", default=None, help="Refetch known articles after this long, e.g. '6h' (default 24h).")
@db_option
@click.option("--set", "-s", "scrapy_settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("--warc-out", "warc_out", default=None, type=click.Path(file_okay=False),
              help="Also write every fetched response, with its request, as WARC/1.1 files in this folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the closing report as JSON.")
@click.option("--frontier", default=None, metavar="redis://HOST:PORT/DB",
              help="Share the crawl through this Redis frontier: seed it, then run --workers workers and the writer.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="With --frontier: worker processes on this machine (default one per CPU; 0: only seed the frontier).")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="With --frontier: seconds the frontier must stay finished before workers and the writer leave.")
def crawl_command(start_urls, feeds, sitemaps, max_pages, allow_domains, recrawl_after, db_path, scrapy_settings, warc_out,
                  as_json, frontier, workers, idle_exit):
    """Crawl news sites: start pages, feeds and sitemaps, storing articles in the corpus."""
    from newsdesk.corpus.urls import is_http_url
    from newsdesk.ops.crawl import CrawlOptions, run_crawl
    from newsdesk.ops.jobs import parse_duration

    if not (start_urls or feeds or sitemaps):
        raise click.UsageError("give at least one start URL, --feed or --sitemap")
    bad = [url for url in (*start_urls, *feeds, *sitemaps) if not is_http_url(url)]
    if bad:
        raise click.BadParameter(f"not an http(s) URL: {bad[0]}")
    try:
        recrawl_seconds = parse_duration(recrawl_after) if recrawl_after else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--recrawl-after") from None
    settings = _parse_setting(scrapy_settings)
    if warc_out:
        settings["NEWSDESK_WARC_DIR"] = warc_out
    options = CrawlOptions(list(start_urls), list(feeds), list(sitemaps), list(allow_domains), max_pages,
                           recrawl_seconds, settings)
    with reporting_store_errors("crawl"):
        if frontier:
            report = _scaleout_crawl(options, _checked_frontier(frontier), workers, db_path, idle_exit)
        else:
            report = run_crawl(options, db_path)
    click.echo(json.dumps(report.to_dict()) if as_json else report.summary())
    if report.store_error:  # the crawl stopped because the corpus could not be written
        exit_for_store_error("crawl", report.store_error)
    if report.stopped_by_signal:  # SIGINT: 130, SIGTERM: 143, as shells report a command a signal ended
        sys.exit(128 + report.stopped_by_signal)
    nothing_stored = report.nothing_stored_reason()
    if nothing_stored:
        error_console.print(f"newsdesk crawl: {nothing_stored}", markup=False)
        sys.exit(1)


def _checked_frontier(url: str, option: str = "--frontier") -> str:
    from crawler.frontier import check_frontier_url

    try:
        return check_frontier_url(url)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


def _scaleout_crawl(options, frontier: str, workers: int | None, db_path: str, idle_exit: float):
    from newsdesk.ops.scaleout import FrontierError, run_scaleout_crawl, seed, worker_count

    try:
        if workers == 0:
            seeded = seed(frontier, options, db_path)
            click.echo(f"seeded {frontier}: {'new crawl' if seeded.fresh else 'joined the crawl in progress'}, "
                       f"{seeded.queued} requests queued; start workers with: newsdesk crawl-worker --frontier {frontier}")
            sys.exit(0)
        return run_scaleout_crawl(options, frontier, worker_count(workers), db_path, idle_exit,
                                  log=lambda line: error_console.print(line))
    except FrontierError as error:
        error_console.print(f"newsdesk crawl: {error}")
        sys.exit(1)


@main.command("crawl-worker")
@click.option("--frontier", required=True, metavar="redis://HOST:PORT/DB", help="The Redis frontier of a seeded crawl.")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Leave once nothing has been queued or in flight anywhere for this many seconds.")
@click.option("--lease-timeout", type=click.FloatRange(min=1), default=None,
              help="Seconds without a heartbeat after which a worker's requests return to the queue (default 60).")
@click.option("--set", "-s", "scrapy_settings", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("--json", "as_json", is_flag=True, help="Print the closing report as JSON.")
def crawl_worker_command(frontier, idle_exit, lease_timeout, scrapy_settings, as_json):
    """Join a crawl seeded in a Redis frontier (from any machine) and work until it is done; results go to the
    frontier's results stream for the writer (`newsdesk ingest --from`)."""
    from newsdesk.ops.scaleout import FrontierError, run_worker

    try:
        report = run_worker(_checked_frontier(frontier), _parse_setting(scrapy_settings), idle_exit, lease_timeout,
                            log=lambda line: error_console.print(f"crawl-worker: {line}"))
    except FrontierError as error:
        error_console.print(f"newsdesk crawl-worker: {error}")
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report.to_dict()))
    else:
        click.echo(f"{report.crawl.summary()}; {report.results_sent} results sent to the writer")


@main.command("ingest")
@click.option("--from", "source", required=True, metavar="redis://HOST:PORT/DB", help="The frontier whose results to store.")
@db_option
@click.option("--idle-exit", type=click.FloatRange(min=0), default=None,
              help="Leave once the crawl is finished and every result stored for this many seconds (default: run until stopped).")
@click.option("--json", "as_json", is_flag=True, help="Print the closing report as JSON.")
def ingest_command(source, db_path, idle_exit, as_json):
    """The single writer of a scale-out crawl: store the workers' results from the frontier into the corpus."""
    from newsdesk.ops.scaleout import run_writer

    report = run_writer(_checked_frontier(source, "--from"), db_path, idle_exit, log=lambda line: error_console.print(line))
    click.echo(json.dumps(report.to_dict()) if as_json else f"ingest: {report.summary()} -> {db_path}")


@main.command("bench-crawl")
@click.option("--copies", default=8, show_default=True, help="Serve each article under this many URLs.")
@click.option("--rounds", default=1, show_default=True, type=click.IntRange(min=1),
              help="Measure each row this many times and keep the fastest (other load on the machine only slows runs down).")
@click.option("--frontier", "through_frontier", is_flag=True,
              help="Instead: crawl through a shared Redis frontier (a private redis-server) with 1, 2 and 4 worker processes.")
def bench_crawl_command(copies: int, rounds: int, through_frontier: bool) -> None:
    """Measure crawl docs/s against extraction-alone docs/s on the same loopback pages."""
    from newsdesk.devtools.crawl_bench import bench_crawl, bench_frontier

    for line in (bench_frontier if through_frontier else bench_crawl)(copies, rounds):
        click.echo(line)


@main.command("bench-replay")
@click.option("--pages", default=300, show_default=True, help="HTML files in the replayed folder.")
@click.option("--warc-pages", default=600, show_default=True,
              help="Pages in the generated WARC (about 450 KB each, with a large video record every 100: about 320 MB).")
def bench_replay_command(pages: int, warc_pages: int) -> None:
    """Measure replay docs/s and memory (a folder with 1 and all workers, a generated WARC in one process and
    with all workers) against extraction alone."""
    from newsdesk.devtools.replay_bench import bench_replay

    for line in bench_replay(pages, warc_pages):
        click.echo(line)


@main.command("bench-stories")
@click.option("--datasets", "datasets_dir", default="../shared/datasets", show_default=True,
              type=click.Path(file_okay=False), help="The dev sets' folder (fundus-de, web-2026 and readability are read).")
@click.option("--articles", default=50_000, show_default=True, type=click.IntRange(min=1),
              help="Articles in the scale corpus (timing with and without stories, then a rebuild).")
@click.option("--extract-pages", type=click.IntRange(min=0), default=None,
              help="Real dev-set pages whose ingest (extraction included) is timed (default: all; 0: none).")
@click.option("--quality/--no-quality", default=True, help="Measure pair precision/recall and copy_of accuracy.")
@click.option("--scale/--no-scale", default=True, help="Measure ingest time with and without stories and the rebuild.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def bench_stories_command(datasets_dir: str, articles: int, extract_pages: int | None, quality: bool, scale: bool,
                          as_json: bool) -> None:
    """The stories benchmark: synthetic syndication and same-topic distractors from the dev sets, and the cost."""
    from newsdesk.devtools.stories_bench import bench_quality, bench_scale, report_lines, results_json

    totals = [0.0, 0.0, 0.0]

    def progress(done: int, *chunk: float, sample=None) -> None:
        if sample is not None:
            if not as_json:
                error_console.print(f"bench-stories: {sample.pages} real pages: extraction {sample.seconds_extract:.1f} s CPU, "
                                    f"story features {sample.seconds_story_features:.1f}, store without "
                                    f"{sample.seconds_store_without:.1f}, with {sample.seconds_store_with:.1f}")
            return
        totals[:] = [total + seconds for total, seconds in zip(totals, chunk)]
        if not as_json and done % 5000 == 0:
            without, with_stories, features = totals
            error_console.print(f"bench-stories: {done:,} articles stored twice; CPU s without {without:.1f}, "
                                f"with {with_stories:.1f} ({with_stories / without - 1:+.1%}), features {features:.1f}")

    try:
        quality_result = bench_quality(Path(datasets_dir)) if quality else None
        scale_result = bench_scale(Path(datasets_dir), articles, progress=progress,
                                   extract_pages=extract_pages) if scale else None
    except FileNotFoundError as error:
        error_console.print(f"newsdesk bench-stories: {error}", markup=False)
        sys.exit(1)
    click.echo(results_json(quality_result, scale_result) if as_json else "\n".join(report_lines(quality_result, scale_result)))


@main.command("demo-site")
@click.option("--port", type=int, default=8000, show_default=True, help="Port on 127.0.0.1 (0 picks a free one).")
def demo_site_command(port: int) -> None:
    """Serve the bundled demo news site on loopback until Ctrl-C (crawl it with `newsdesk crawl URL`). Its
    articles name https://loopback-zeitung.example/... as their canonical URL, whatever the port, so crawling
    it again (on any port) stores nothing new."""
    from newsdesk.devtools.loopback_site import DEMO_CANONICAL_BASE, LoopbackNewsSite

    site = LoopbackNewsSite(port=port, canonical_base=DEMO_CANONICAL_BASE)
    click.echo(f"serving {len(site.articles)} articles at {site.base_url}/ (Ctrl-C to stop)")
    site.serve_forever()


if __name__ == "__main__":
    main()
