"""Human output: each input's text with the evidence marked, then its findings or restrictions.

For people, not for parsing: machine consumers use json or jsonl. Colour only on a terminal
(or with --color); without colour the evidence is still marked, as ``[[words]](1,2)``.
"""

from __future__ import annotations

from typing import Any, TextIO

import click

from ..errors import one_line

COLORS = {"ok": "green", "needs_review": "yellow", "violation": "red"}
SYMBOLS = {"ok": "ok", "needs_review": "REVIEW", "violation": "VIOLATION"}
RANK = {"ok": 0, "needs_review": 1, "violation": 2}
FULL_TEXT_LIMIT = 1500
CONTEXT = 60


def _marked(text: str, spans: list[tuple[int, int, int, str]], color: bool) -> str:
    """``text`` with each group of overlapping spans marked and labelled by finding numbers."""
    regions: list[list[Any]] = []  # [start, end, labels, verdict]
    for start, end, label, verdict in sorted(spans):
        if regions and start < regions[-1][1]:
            r = regions[-1]
            r[1] = max(r[1], end)
            r[2].add(label)
            if RANK[verdict] > RANK[r[3]]:
                r[3] = verdict
        else:
            regions.append([start, end, {label}, verdict])
    show_all = len(text) <= FULL_TEXT_LIMIT
    out: list[str] = []
    pos = 0
    for start, end, labels, verdict in regions:
        gap = text[pos:start]
        if not show_all and len(gap) > 2 * CONTEXT:
            head = gap[:CONTEXT] if pos else ""
            gap = head + " … " + gap[-CONTEXT:]
        out.append(gap)
        words = text[start:end]
        tag = "(" + ",".join(str(n) for n in sorted(labels)) + ")"
        if color:
            out.append(click.style(words, fg=COLORS[verdict], underline=True, bold=True)
                       + click.style(tag, fg=COLORS[verdict], dim=True))
        else:
            out.append(f"[[{words}]]{tag}")
        pos = end
    tail = text[pos:]
    if not show_all and len(tail) > CONTEXT:
        tail = tail[:CONTEXT] + " …"
    out.append(tail)
    return "".join(out)


class TextRenderer:
    def __init__(self, out: TextIO, err: TextIO, *, color: bool = False, command: str = "check"):
        self.out, self.err, self.color, self.command = out, err, color, command

    def _echo(self, text: str = "", nl: bool = True, **style: Any) -> None:
        click.echo(click.style(text, **style) if self.color and style else text, file=self.out,
                   color=self.color, nl=nl)

    def begin(self, meta: dict[str, Any]) -> None:
        manifest = meta.get("manifest")
        if manifest and manifest.get("path"):
            self._echo(f"usage: {manifest['path']} (sha256 {manifest['sha256'][:12]}…), "
                       f"policy: {meta.get('policy', 'editorial')}", dim=True)

    def item(self, result: dict[str, Any]) -> None:
        """One result in its JSON form: a report (has findings), an image reading (has a
        format) or a parsed caption."""
        if "findings" in result:
            self._report(result)
        elif "format" in result:
            self._record(result)
        else:
            self._caption(result)

    def _record(self, record: dict[str, Any]) -> None:
        """An image reading: each field's preferred value, then the other sources' values."""
        self._heading(f"{record['source']} ({record['format']})", None)
        if not record["fields"]:
            self._echo("  no caption or rights fields", dim=True)
        for name, info in record["fields"].items():
            self._echo(f"  {name}: ", bold=True, nl=False)
            self._echo(info["value"].replace("\n", "\n    "))
            self._echo(f"    from {info['source']}", dim=True)
            for src in info["sources"]:
                if src["source"] != info["source"] and " ".join(src["value"].split()) != " ".join(info["value"].split()):
                    self._echo(f"    {src['source']}: {src['value']}", dim=True)
        for r in record["restrictions"]:
            self._echo(f"  machine-readable: {r['type']} {r['value']}")
        self._notices(record["notices"])
        self._echo()

    def _texts(self, texts: dict[str, str], spans_by_field: dict[str, list[tuple[int, int, int, str]]]) -> None:
        for field, text in texts.items():
            label = "" if list(texts) == ["caption"] else f"{field}: "
            if not text.strip():
                self._echo(f"  {label}(empty)", dim=True)
                continue
            body = _marked(text.rstrip(), spans_by_field.get(field, []), self.color)
            self._echo("  " + label + body.replace("\n", "\n  "))

    def _heading(self, source: str | None, verdict: str | None) -> None:
        name = source or "<caption>"
        if verdict is None:
            self._echo(f"== {name}", bold=True)
            return
        line = f"== {name}: {SYMBOLS[verdict]}"
        self._echo(line, bold=True, fg=COLORS[verdict])

    def _report(self, report: dict[str, Any]) -> None:
        self._heading(report["source"], report["verdict"])
        spans: dict[str, list[tuple[int, int, int, str]]] = {}
        # findings come one per restriction, in the same order
        for n, (f, r) in enumerate(zip(report["findings"], report["restrictions"]), 1):
            for ev in r["evidence"]:
                spans.setdefault(ev["field"], []).append((ev["start"], ev["end"], n, f["verdict"]))
        self._texts(report["fields"], spans)
        self._echo()
        if not report["findings"]:
            self._echo("  no usage restriction found", fg="green")
        for n, f in enumerate(report["findings"], 1):
            self._echo(f"  ({n}) {SYMBOLS[f['verdict']]:9} {f['type']}", fg=COLORS[f["verdict"]], bold=True)
            self._echo(f"      {f['reason']}")
        if report.get("manifest", {}).get("path"):
            self._echo(f"  usage: {report['manifest']['path']}", dim=True)
        self._notices(report["notices"])
        self._echo()

    def _caption(self, caption: dict[str, Any]) -> None:
        self._heading(caption["source"], None)
        spans: dict[str, list[tuple[int, int, int, str]]] = {}
        for n, r in enumerate(caption["restrictions"], 1):
            for ev in r["evidence"]:
                spans.setdefault(ev["field"], []).append((ev["start"], ev["end"], n, "needs_review"))
        self._texts(caption["fields"], spans)
        self._echo()
        langs = ", ".join(f"{s['lang']} {s['start']}-{s['end']}" for s in caption["segments"])
        self._echo(f"  languages: {langs or 'none'}", dim=True)
        for kind, values in caption["extracted"].items():
            shown = "; ".join(v["value"] for v in values[:6]) + (" …" if len(values) > 6 else "")
            self._echo(f"  {kind}: {shown}", dim=True)
        if not caption["restrictions"]:
            self._echo("  no usage restriction found")
        for n, r in enumerate(caption["restrictions"], 1):
            value = f" {r['value']}" if r["value"] is not None else ""
            via = f" (from licence {', '.join(r['implied_by'])})" if r.get("implied_by") else ""
            self._echo(f"  ({n}) {r['type']}{value}{via}", bold=True)
            for ev in r["evidence"][:3]:
                self._echo(f"      {ev['field']} {ev['start']}-{ev['end']} [{ev['lang']}] '{ev['text']}'")
        self._notices(caption["notices"])
        self._echo()

    def _notices(self, notices: list[dict[str, Any]]) -> None:
        for n in notices:
            self._echo(f"  note ({n['kind']}): {n['message']}", dim=True)

    def error(self, result: dict[str, Any]) -> None:
        message = one_line(result["error"])
        click.echo(click.style("error: ", fg="red", bold=True) + message if self.color else
                   f"error: {message}", file=self.err, color=self.color)

    def end(self, summary: dict[str, Any]) -> None:
        parts = [f"{summary['inputs']} input(s)"]
        for key in ("ok", "needs_review", "violation", "errors"):
            if key in summary:
                parts.append(f"{summary[key]} {key.replace('_', ' ')}")
        if summary.get("skipped"):
            parts.append(f"{len(summary['skipped'])} skipped")
        if summary.get("interrupted"):
            parts.append("interrupted")
        self._echo(", ".join(parts) + f"; exit code {summary['exit_code']}", dim=True)
