"""The ``rights-check`` command: a thin shell over the library (contract §4).

Heavy modules are imported inside the commands so that ``rights-check --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from enum import IntEnum
from typing import Any, Iterator, TextIO

import click

from . import __version__
from .errors import one_line
from .output import FORMATS

EXIT_CODES_HELP = """\b
Exit codes:
  0  every input checked and every verdict ok (read, parse: every input read)
  1  at least one violation
  2  usage error, invalid manifest, or an input that could not be read
     (the other inputs are still checked and reported)
  3  no violation, but at least one verdict needs review
  4  internal error (a bug)
Several inputs: 4 over 2 over 1 over 3 over 0. --exit-zero turns 1 and 3 into 0."""


class ExitCode(IntEnum):
    OK = 0
    VIOLATION = 1
    INPUT_ERROR = 2
    NEEDS_REVIEW = 3
    INTERNAL_ERROR = 4


PRECEDENCE = (ExitCode.INTERNAL_ERROR, ExitCode.INPUT_ERROR, ExitCode.VIOLATION,
              ExitCode.NEEDS_REVIEW, ExitCode.OK)
VERDICT_EXIT = {"ok": ExitCode.OK, "needs_review": ExitCode.NEEDS_REVIEW,
                "violation": ExitCode.VIOLATION}


def aggregate(codes: list[ExitCode]) -> ExitCode:
    """The run's exit code from the inputs' codes: 4 over 2 over 1 over 3 over 0."""
    for code in PRECEDENCE:
        if code in codes:
            return code
    return ExitCode.OK


# --- output --------------------------------------------------------------------------------

@contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """stdout, or a file written atomically (a temporary file renamed over it at the end)."""
    if path is None or path == "-":
        if sys.stdout is None:  # started with descriptor 1 closed: the results would go nowhere
            raise click.UsageError("standard output is closed: give -o FILE for the results")
        yield sys.stdout
        return
    from .files import atomic_output

    with atomic_output(path) as fh:
        yield fh


def _use_color(flag: bool | None, out: TextIO) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return out is sys.stdout and sys.stdout.isatty()


def _meta(command: str, manifest: Any = None, policy: str | None = None) -> dict[str, Any]:
    from .phrases import load_phrases

    meta: dict[str, Any] = {
        "schema": f"rights-check/{'report' if command == 'check' else command}@1",
        "tool": {"name": "rights-check", "version": __version__, "rules": load_phrases().digest},
    }
    if manifest is not None:
        meta["manifest"] = {"path": manifest.source, "sha256": manifest.sha256}
    if policy is not None:
        meta["policy"] = policy
    return meta


# --- commands ------------------------------------------------------------------------------

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="text",
    show_default=True, help="text for people; json (one document), jsonl (one line per input), csv "
    "(a row per finding, for spreadsheets) or github (workflow annotations) for machines.")
output_option = click.option("-o", "--output", metavar="FILE",
                             help="Write the output to FILE (atomically) instead of standard output.")
color_option = click.option("--color/--no-color", default=None,
                            help="Colour the text output (default: only on a terminal; NO_COLOR is honoured).")
caption_option = click.option("--caption", "captions", multiple=True, metavar="TEXT",
                              help="Caption text given on the command line (repeatable).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="rights-check")
def cli() -> None:
    """Read the usage restrictions in photo captions and metadata, and check a planned use
    against them.

    SOURCE is an image file (JPEG, TIFF, PNG, WebP, HEIC/AVIF, or an XMP sidecar), a caption
    text file (UTF-8), a folder of them, or - for caption text on standard input.
    """


def _batch(command: str, items: Iterator[Any], fmt: str, output: str | None, color: bool | None,
           meta: dict[str, Any], job: Any, jobs: int, *, exit_zero: bool = False,
           report: str | None = None, progress: bool | None = None, streaming: bool = False) -> int:
    """Check every input (in ``jobs`` processes), render the results in input order, and
    return the aggregated exit code (contract §4). A bad input becomes an error line and the
    batch goes on; Ctrl-C leaves complete lines and a summary of what was done."""
    from . import batch
    from .output import renderer

    skipped: list[dict[str, Any]] = []

    def inputs():
        for entry in items:
            if isinstance(entry, batch.Skipped):
                skipped.append(entry.to_dict())
                click.echo(one_line(f"rights-check: skipped {entry.source}: {entry.message}"), err=True)
            else:
                yield entry

    todo: Any = inputs()
    show_progress = progress if progress is not None else (
        sys.stderr.isatty() and (fmt != "text" or output is not None or not sys.stdout.isatty()))
    if show_progress:
        todo = list(todo)  # the bar needs the count
        show_progress = len(todo) >= PROGRESS_MIN
    codes: list[ExitCode] = []
    counts: dict[str, int] = {"ok": 0, "needs_review": 0, "violation": 0} if command == "check" else {}
    errors = 0
    interrupted = False
    extra = None
    if report:
        from .output.html import HtmlReport, add_thumbnail
        extra = HtmlReport(report, command=command)
        job.extras = (add_thumbnail,)
    with open_output(output) as out:
        r = renderer(fmt)(out, sys.stderr, color=_use_color(color, out) and fmt == "text", command=command)
        if extra is None and hasattr(r, "line"):
            job.line = r.line  # rendered in the workers; the HTML report needs whole results
        for rend in (r, extra):
            if rend is not None:
                rend.begin(meta)
        # inputs found by walking folders are all at hand: send them to workers in groups;
        # records may arrive one by one on a pipe, so each goes out at once
        results = batch.run(job, todo, jobs, chunksize=1 if streaming else 16)
        bar = click.progressbar(length=len(todo), file=sys.stderr, label="checking",
                                show_pos=True, show_eta=True) if show_progress else None
        try:
            for full in results:
                # keys starting with "_" carry data for the HTML report only (thumbnails)
                result = {k: v for k, v in full.items() if not k.startswith("_")}
                internal = result.pop("internal", False)
                if "_line" in full:
                    r.prerendered(full["_line"])
                elif "error" in result:
                    r.error(result)
                else:
                    r.item(result)
                # counted once written: a Ctrl-C here leaves the summary agreeing with the lines
                if "error" in result:
                    errors += 1
                    codes.append(ExitCode.INTERNAL_ERROR if internal else ExitCode.INPUT_ERROR)
                else:
                    verdict = result.get("verdict")
                    if verdict is not None:
                        counts[verdict] += 1
                        codes.append(VERDICT_EXIT[verdict])
                    else:
                        codes.append(ExitCode.OK)
                if extra is not None:
                    extra.add(full)
                if bar is not None:
                    bar.update(1)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if bar is not None:
                bar.render_finish()
        code = aggregate(codes)
        if exit_zero and code in (ExitCode.VIOLATION, ExitCode.NEEDS_REVIEW):
            code = ExitCode.OK
        summary: dict[str, Any] = {"inputs": len(codes), **counts, "errors": errors, "exit_code": int(code)}
        if skipped:
            summary["skipped"] = skipped
        if interrupted:
            summary["interrupted"] = True
            summary["exit_code"] = 130
        r.end(summary)
        if extra is not None:
            extra.end(summary)
    return 130 if interrupted else int(code)


PROGRESS_MIN = 20  # a progress bar for batches at least this long, on a terminal


def _items(sources, captions, include, exclude, records):
    from . import batch

    if records is not None:
        if sources or captions:
            raise click.UsageError("--records reads its inputs from the records; give no SOURCE")
        stream = sys.stdin.buffer if records == "-" else _open_records(records)
        return batch.records_from(stream, "<stdin>" if records == "-" else records)
    if not sources and not captions:
        raise click.UsageError("give at least one SOURCE or --caption TEXT")
    return batch.items_from(sources, captions, include=include, exclude=exclude)


def _open_records(path: str):
    from .files import open_input
    return open_input(path)


def batch_options(f):
    """Options every batch command shares."""
    from .batch import default_jobs

    f = click.option("--include", multiple=True, metavar="GLOB",
                     help="In folders, only files matching GLOB (repeatable).")(f)
    f = click.option("--exclude", multiple=True, metavar="GLOB",
                     help="In folders, skip files matching GLOB (repeatable).")(f)
    f = click.option("-j", "--jobs", type=click.IntRange(1, 256), default=default_jobs(), show_default=True,
                     help="Inputs checked in parallel processes; the output is the same whatever N.")(f)
    f = click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
                     metavar="SECONDS", help="Give up on one input after this long (an error line).")(f)
    f = click.option("--progress/--no-progress", default=None,
                     help="A progress bar on standard error (default: on a terminal, for long batches).")(f)
    return f


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@caption_option
@click.option("--use", "manifest", metavar="MANIFEST",
              help="The planned use: a usage manifest in YAML or JSON (see `rights-check template`).")
@format_option
@click.option("--policy", type=click.Choice(["editorial", "strict"]), default="editorial", show_default=True,
              help="How edits are judged against a no-manipulation restriction.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 on violations and reviews (errors still exit 2).")
@click.option("--records", metavar="FILE", help="Read JSON Lines records (- for standard input): "
              'one per line, {"id": …, "caption": "…"} or {"id": …, "path": "…"}, optionally "usage": {…}.')
@click.option("--folder-manifests", is_flag=True,
              help="Let photo.jpg.usage.yaml, then the nearest folder's usage.yaml, decide a photo's use before --use.")
@click.option("--report", "report", metavar="FILE.html",
              help="Also write a self-contained HTML report for the picture desk.")
@batch_options
@output_option
@color_option
def check(sources, captions, manifest, fmt, policy, exit_zero, records, folder_manifests, report,
          include, exclude, jobs, timeout, progress, output, color) -> int:
    """Check each SOURCE (or --caption TEXT) against the usage manifest.

    For every restriction the text states, says whether the planned use is ok, a violation, or
    needs review, quoting the caption's words and naming the manifest field.
    """
    from .batch import Job
    from .usage import load_usage

    if manifest is None and not folder_manifests and records is None:
        raise click.UsageError("Missing option '--use'.")
    usage = load_usage(manifest) if manifest is not None else None
    job = Job("check", usage=usage, policy=policy, folder_manifests=folder_manifests, timeout=timeout)
    return _batch("check", _items(sources, captions, include, exclude, records), fmt, output, color,
                  _meta("check", usage, policy), job, jobs, exit_zero=exit_zero, report=report,
                  progress=progress, streaming=records is not None)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@caption_option
@format_option
@batch_options
@output_option
@color_option
def parse(sources, captions, fmt, include, exclude, jobs, timeout, progress, output, color) -> int:
    """Show what rights-check reads in each SOURCE: language runs, restrictions with their
    evidence, credit/source/date/URL/copyright fields, and notices."""
    from .batch import Job

    return _batch("parse", _items(sources, captions, include, exclude, None), fmt, output, color,
                  _meta("parse"), Job("parse", timeout=timeout), jobs, progress=progress)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("images", nargs=-1, required=True, metavar="IMAGE...")
@format_option
@batch_options
@output_option
@color_option
def read(images, fmt, include, exclude, jobs, timeout, progress, output, color) -> int:
    """Show the caption and rights fields of each IMAGE (JPEG, TIFF, PNG, WebP, HEIC/AVIF, XMP):
    each field's preferred value and every source's own value, and the notices."""
    from .batch import Job

    return _batch("read", _items(images, (), include, exclude, None), fmt, output, color,
                  _meta("read"), Job("read", timeout=timeout), jobs, progress=progress)


@cli.command()
@click.argument("type_", metavar="[TYPE]", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def restrictions(type_, fmt) -> int:
    """The restriction types: what each means, an example, and how a planned use is judged."""
    import json

    from .catalogue import catalogue, info

    if type_ is not None:
        try:
            entries = [info(type_)]
        except KeyError:
            names = ", ".join(str(e.type) for e in catalogue())
            raise click.UsageError(f"unknown restriction type {type_!r}; the types are: {names}") from None
    else:
        entries = list(catalogue())
    if fmt == "json":
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return 0
    for e in entries:
        if type_ is None:
            click.echo(f"{str(e.type):26} {e.title}")
            continue
        click.echo(f"{e.type} — {e.title}\n\n{e.meaning}\n")
        click.echo("Examples:\n" + "\n".join(f"  {x}" for x in e.examples) + "\n")
        click.echo(f"Value: {e.value}\n")
        click.echo(f"Manifest fields: {', '.join(e.manifest_fields) or 'none'}\n")
        click.echo(f"How it is judged: {e.judged}")
    click.echo("\n" + GENERAL_RULES if type_ is None else "")
    if type_ is None:
        click.echo("rights-check restrictions TYPE explains one type.")
    return 0


GENERAL_RULES = """\
For every type: a report is violation if any finding is, else needs_review if any is, else ok.
A manifest field that is absent is unknown: a rule that needs it answers needs_review. An
agreements entry of the same type (whose supplier, when given, appears in the photo's credit
or source) turns a finding into ok, except for withdrawn. A truncated or encoding_guess notice
on a rights-bearing field makes the report at least needs_review."""


@cli.command()
def template() -> int:
    """Print a commented usage manifest to fill in."""
    from .usage import template_text

    click.echo(template_text(), nl=False)
    return 0


# --- entry point ---------------------------------------------------------------------------

def _fail(message: str) -> None:
    click.echo(f"rights-check: error: {one_line(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and exit with the contract's codes; never a traceback."""
    from .errors import DataError, RightsCheckError

    try:
        rv = cli.main(args=argv, prog_name="rights-check", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:  # bare `rights-check`: help, as a usage error
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), file=sys.stderr)
        rv = ExitCode.INPUT_ERROR
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(exc.format_message() + hint)
        rv = ExitCode.INPUT_ERROR
    except click.ClickException as exc:
        _fail(exc.format_message())
        rv = ExitCode.INPUT_ERROR
    except DataError as exc:  # the bundled phrase data is broken: a bug, not the user's input
        _fail(f"internal error: {exc}")
        rv = ExitCode.INTERNAL_ERROR
    except RightsCheckError as exc:
        _fail(str(exc))
        rv = ExitCode.INPUT_ERROR
    except click.exceptions.Abort:
        _fail("interrupted")
        rv = 130
    except SystemExit as exc:
        # click exits by itself in two cases: shell completion (its own code) and a reader
        # that went away (EPIPE: it quiets the streams and exits 1, which here would mean a
        # violation; that is the closed-pipe case below)
        rv = ExitCode.INPUT_ERROR if exc.code == 1 else exc.code if isinstance(exc.code, int) else 0
    except BrokenPipeError:
        # the reader went away: stop quietly, but not with success
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        rv = ExitCode.INPUT_ERROR
    except KeyboardInterrupt:
        _fail("interrupted")
        rv = 130
    except Exception as exc:  # a bug: one line, the traceback only on request
        if os.environ.get("RIGHTS_CHECK_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (a bug; set RIGHTS_CHECK_DEBUG=1 "
              f"for the traceback)")
        rv = ExitCode.INTERNAL_ERROR
    if rv is None:
        rv = 0
    return int(rv)


def run() -> None:
    """The ``rights-check`` command: ``main()``, then exit without the interpreter's teardown.

    Freeing every object one by one at exit (the phrase data, the language tables) takes 15 to
    25 ms of every run and frees nothing the system does not free at once. Standard output and
    error are flushed first; every file the command writes (``-o``, ``--report``) is closed
    and in place by then, and nothing in the package relies on ``atexit``. A reader that went
    away before the last flush makes it exit 2, as ``main`` does for one that goes earlier."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with that descriptor closed
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe; a stream someone closed
            if stream is sys.stdout and code not in (ExitCode.INTERNAL_ERROR, 130):
                code = ExitCode.INPUT_ERROR
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
