"""``--format csv``: one row per restriction finding, for spreadsheets.

CSV as RFC 4180 describes it (written with the ``csv`` module): UTF-8 without a byte-order
mark, CRLF line ends, a header row, fields quoted only when they need it (a comma, a quote or a
line break inside a cell is quoted, never lost). Rows are written and flushed as each input is
done, in input order; the summary goes to standard error as one JSON line
``{"summary": {...}}``, as for jsonl, so standard output holds only the CSV.

The header is the same for every run of a command, whatever the inputs: the ``id`` column is
always there and is filled only in ``--records`` mode (the record's ``id``), so a script or a
spreadsheet template can rely on the column positions. Columns only ever get added at the end.

``check`` columns:

    source, id, verdict, type, finding_verdict, reason, manifest_field, evidence,
    evidence_field, evidence_start, evidence_end, lang, value, sha256, manifest,
    manifest_sha256

- one row per finding (one finding per restriction, ``ok`` ones included), in report order;
- ``verdict`` is the report's overall verdict, repeated on each of its rows, so filtering on it
  keeps a photo's rows together; ``finding_verdict`` is that finding's own verdict;
- ``evidence``, ``evidence_field``, ``evidence_start``, ``evidence_end`` and ``lang`` describe
  the restriction's first evidence span (the full list is in json/jsonl); offsets are in
  characters of that field's text, end exclusive;
- ``value`` is the restriction's value as compact JSON (``{"territories": ["KR"]}``), empty when
  it has none;
- ``sha256`` is the input file's SHA-256 (empty for --caption and standard input);
  ``manifest`` and ``manifest_sha256`` name the usage manifest applied to this input;
- a report with no restriction gets one row: its verdict, and empty finding columns;
- an input that could not be read gets one row with ``verdict`` ``error`` and the message in
  ``reason``.

``parse`` columns: ``source, id, type, value, evidence, evidence_field, evidence_start,
evidence_end, lang, implied_by, error`` — one row per restriction found (``implied_by``: the
licences that imply it, ``;``-separated); a caption with none gets one row with empty
restriction columns; an input that could not be read gets one row with the message in ``error``.

``read`` columns: ``source, id, format, field, field_source, value, preferred, error`` — one
row per source of each logical field (``field`` is the logical name such as ``caption``,
``field_source`` where the value was read, e.g. ``iptc:2:120`` or ``exif:ImageDescription``,
``value`` that source's own decoded value, ``preferred`` ``true`` on the source whose value the
field takes, else ``false``); an image with no field gets one row with empty field columns; an
error gets one row with the message in ``error``. (``field_source`` rather than ``source``:
the ``source`` column is the input, and one header never names two columns alike.)
Machine-readable restrictions and notices of a reading are in the json formats only.

Spreadsheet safety (CSV injection): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is written with a single quote (``'``) in front, so that a spreadsheet
shows it as text instead of running it as a formula: caption words and file names come from
outside and must never become formulas. This applies to every text cell, so standard input
appears as ``'-`` and caption strings as ``'--caption``; a program reading the CSV that needs
the exact text strips one leading ``'`` from such cells (or uses jsonl, which is never altered).
"""

from __future__ import annotations

import csv
import json
from typing import Any, Iterable, TextIO

CHECK_COLUMNS = ("source", "id", "verdict", "type", "finding_verdict", "reason", "manifest_field",
                 "evidence", "evidence_field", "evidence_start", "evidence_end", "lang", "value",
                 "sha256", "manifest", "manifest_sha256")
PARSE_COLUMNS = ("source", "id", "type", "value", "evidence", "evidence_field", "evidence_start",
                 "evidence_end", "lang", "implied_by", "error")
READ_COLUMNS = ("source", "id", "format", "field", "field_source", "value", "preferred", "error")
COLUMNS = {"check": CHECK_COLUMNS, "parse": PARSE_COLUMNS, "read": READ_COLUMNS}

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a string starting like a formula gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _text(value: Any) -> str:
    """An id or other scalar as cell text (a record's id may be a number)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _evidence(restriction: dict[str, Any] | None) -> dict[str, Any]:
    evidence = (restriction or {}).get("evidence") or []
    if not evidence:
        return {}
    first = evidence[0]
    return {"evidence": first.get("text"), "evidence_field": first.get("field"),
            "evidence_start": first.get("start"), "evidence_end": first.get("end"),
            "lang": first.get("lang")}


class CsvRenderer:
    def __init__(self, out: TextIO, err: TextIO, *, color: bool = False, command: str = "check"):
        self.out, self.err, self.command = out, err, command
        self.columns = COLUMNS[command]
        self.writer = csv.writer(out, lineterminator="\r\n")
        self.header_written = False

    def _header(self) -> None:
        if not self.header_written:
            self.writer.writerow(self.columns)
            self.header_written = True

    def _rows(self, rows: Iterable[dict[str, Any]]) -> None:
        self._header()
        for row in rows:
            self.writer.writerow([safe_cell(row.get(c)) for c in self.columns])
        self.out.flush()

    def begin(self, meta: dict[str, Any]) -> None:
        self._header()
        self.out.flush()

    def item(self, result: dict[str, Any]) -> None:
        rows = {"check": self._check_rows, "parse": self._parse_rows, "read": self._read_rows}[self.command]
        self._rows(rows(result))

    def error(self, result: dict[str, Any]) -> None:
        row = {"source": result.get("source"), "id": _text(result.get("id"))}
        if self.command == "check":
            row.update(verdict="error", reason=result.get("error"))
        else:
            row["error"] = result.get("error")
        self._rows([row])

    def end(self, summary: dict[str, Any]) -> None:
        self._header()
        self.out.flush()
        self.err.write(json.dumps({"summary": summary}, ensure_ascii=False) + "\n")
        self.err.flush()

    # --- one input's rows ----------------------------------------------------------------

    @staticmethod
    def _check_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
        manifest = report.get("manifest") or {}
        base = {"source": report.get("source"), "id": _text(report.get("id")),
                "verdict": report.get("verdict"), "sha256": report.get("sha256"),
                "manifest": manifest.get("path"), "manifest_sha256": manifest.get("sha256")}
        findings = report.get("findings") or []
        restrictions = report.get("restrictions") or []
        rows = []
        # findings come one per restriction, in the same order
        for n, finding in enumerate(findings):
            restriction = restrictions[n] if n < len(restrictions) else None
            row = dict(base, type=finding.get("type"), finding_verdict=finding.get("verdict"),
                       reason=finding.get("reason"), manifest_field=finding.get("manifest_field"),
                       value=_json((restriction or {}).get("value")))
            row.update(_evidence(restriction))
            rows.append(row)
        return rows or [base]

    @staticmethod
    def _parse_rows(caption: dict[str, Any]) -> list[dict[str, Any]]:
        base = {"source": caption.get("source"), "id": _text(caption.get("id"))}
        rows = []
        for restriction in caption.get("restrictions") or []:
            row = dict(base, type=restriction.get("type"), value=_json(restriction.get("value")),
                       implied_by=";".join(restriction.get("implied_by") or ()))
            row.update(_evidence(restriction))
            rows.append(row)
        return rows or [base]

    @staticmethod
    def _read_rows(record: dict[str, Any]) -> list[dict[str, Any]]:
        base = {"source": record.get("source"), "id": _text(record.get("id")),
                "format": record.get("format")}
        rows = []
        for name, info in (record.get("fields") or {}).items():
            sources = info.get("sources") or [{"source": info.get("source"), "value": info.get("value")}]
            for src in sources:
                rows.append(dict(base, field=name, field_source=src.get("source"), value=_text(src.get("value")),
                                 preferred=src.get("source") == info.get("source")))
        return rows or [base]
