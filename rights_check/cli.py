"""The ``rights-check`` command: a thin shell over the library (contract §4).

Heavy modules are imported inside the commands so that ``rights-check --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from enum import IntEnum
from typing import Any, Iterator, TextIO

import click

from . import __version__

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


# --- inputs --------------------------------------------------------------------------------

def iter_sources(sources: tuple[str, ...], captions: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """(name, source) pairs in input order: caption strings, stdin text, files, folders' files.

    A source that cannot be read yields (name, InputError) so the batch goes on."""
    from .api import decode_text
    from .errors import InputError

    for i, text in enumerate(captions, 1):
        yield (f"--caption[{i}]" if len(captions) > 1 else "--caption"), text
    for name in sources:
        if name == "-":
            try:
                yield "-", decode_text(sys.stdin.buffer.read(), "<stdin>")
            except InputError as exc:
                yield "-", exc
        elif os.path.isdir(name):
            found = False
            for root, dirs, files in os.walk(name):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.startswith("."):
                        continue
                    path = os.path.join(root, f)
                    if os.path.isfile(path):
                        found = True
                        yield path, _path(path)
            if not found:
                yield name, InputError(f"{name}: folder holds no files to check")
        else:
            yield name, _path(name)


def _path(name: str):
    import pathlib
    return pathlib.Path(name)


def _caption_of(name: str, source: Any):
    """A parsed Caption (and the file's SHA-256) from text or a path; raises InputError."""
    from .api import load_caption
    from .caption import parse_caption

    if isinstance(source, str):
        return parse_caption(source, source=name), None
    return load_caption(source)


# --- output --------------------------------------------------------------------------------

@contextmanager
def open_output(path: str | None) -> Iterator[TextIO]:
    """stdout, or a file written atomically (a temporary file renamed over it at the end)."""
    if path is None or path == "-":
        yield sys.stdout
        return
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rights-check-", dir=directory)
    except OSError as exc:
        from .errors import InputError
        raise InputError(f"{path}: cannot write output: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


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
    "--format", "fmt", type=click.Choice(["text", "json", "jsonl"]), default="text",
    show_default=True, help="text for people; json (one document) or jsonl (one line per input) for machines.")
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


def _batch(command: str, inputs: Iterator[tuple[str, Any]], fmt: str, output: str | None,
           color: bool | None, meta: dict[str, Any], handle, *, exit_zero: bool = False) -> int:
    """Render ``handle(name, source)`` for every input in order; a bad input becomes an error
    entry and the batch goes on. Returns the aggregated exit code (contract §4)."""
    from .errors import InputError
    from .output import renderer

    codes: list[ExitCode] = []
    counts: dict[str, int] = {"ok": 0, "needs_review": 0, "violation": 0} if command == "check" else {}
    errors = 0
    with open_output(output) as out:
        r = renderer(fmt)(out, sys.stderr, color=_use_color(color, out) and fmt == "text", command=command)
        r.begin(meta)
        for name, source in inputs:
            try:
                if isinstance(source, InputError):
                    raise source
                result = handle(name, source)
            except InputError as exc:
                errors += 1
                codes.append(ExitCode.INPUT_ERROR)
                r.error(name, str(exc))
                continue
            verdict = getattr(result, "verdict", None)
            if verdict is not None:
                counts[str(verdict)] += 1
                codes.append(VERDICT_EXIT[str(verdict)])
            else:
                codes.append(ExitCode.OK)
            r.item(result)
        code = aggregate(codes)
        if exit_zero and code in (ExitCode.VIOLATION, ExitCode.NEEDS_REVIEW):
            code = ExitCode.OK
        r.end({"inputs": len(codes), **counts, "errors": errors, "exit_code": int(code)})
    return int(code)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@caption_option
@click.option("--use", "manifest", required=True, metavar="MANIFEST",
              help="The planned use: a usage manifest in YAML or JSON (see `rights-check template`).")
@format_option
@click.option("--policy", type=click.Choice(["editorial", "strict"]), default="editorial", show_default=True,
              help="How edits are judged against a no-manipulation restriction.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 on violations and reviews (errors still exit 2).")
@output_option
@color_option
def check(sources, captions, manifest, fmt, policy, exit_zero, output, color) -> int:
    """Check each SOURCE (or --caption TEXT) against the usage manifest.

    For every restriction the text states, says whether the planned use is ok, a violation, or
    needs review, quoting the caption's words and naming the manifest field.
    """
    if not sources and not captions:
        raise click.UsageError("give at least one SOURCE or --caption TEXT")
    from .api import make_report
    from .usage import load_usage

    usage = load_usage(manifest)

    def handle(name: str, source: Any):
        caption, digest = _caption_of(name, source)
        return make_report(caption, usage, policy, sha256=digest, source=name)

    return _batch("check", iter_sources(sources, captions), fmt, output, color,
                  _meta("check", usage, policy), handle, exit_zero=exit_zero)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@caption_option
@format_option
@output_option
@color_option
def parse(sources, captions, fmt, output, color) -> int:
    """Show what rights-check reads in each SOURCE: language runs, restrictions with their
    evidence, credit/source/date/URL/copyright fields, and notices."""
    if not sources and not captions:
        raise click.UsageError("give at least one SOURCE or --caption TEXT")
    return _batch("parse", iter_sources(sources, captions), fmt, output, color, _meta("parse"),
                  lambda name, source: _caption_of(name, source)[0])


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("images", nargs=-1, required=True, metavar="IMAGE...")
@format_option
@output_option
@color_option
def read(images, fmt, output, color) -> int:
    """Show the caption and rights fields of each IMAGE (JPEG, TIFF, PNG, WebP, HEIC/AVIF, XMP):
    each field's preferred value and every source's own value, and the notices."""
    from .errors import InputError
    from .image import read_image

    def handle(name: str, source: Any):
        if isinstance(source, str):
            raise InputError(f"{name}: read takes image files, not text")
        return read_image(source)

    return _batch("read", iter_sources(images, ()), fmt, output, color, _meta("read"), handle)


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
    click.echo(f"rights-check: error: {message}", file=sys.stderr)


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
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
