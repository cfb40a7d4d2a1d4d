"""``--report FILE.html``: one self-contained page for the picture desk.

The page holds a summary at the top (counts per verdict, the manifest applied with its SHA-256,
the policy, the tool version, the date), then one card per input in input order: a thumbnail,
the source, the verdict, the caption and other text fields with every evidence span highlighted
and labelled with its restriction type (coloured by its finding's verdict), the findings, the
notices — or, for an input that could not be read, its error. Filters by verdict and by
restriction type are a few lines of vanilla JavaScript over ``data-`` attributes.

Everything is inline (CSS, JS, thumbnails as ``data:`` URIs): the page loads nothing from the
network, and a Content-Security-Policy says so. Every string that comes from an input is
HTML-escaped.

Cards are rendered as results stream in and spooled to a temporary file, so memory stays flat
however many inputs there are; each field's text is capped (its head plus the context of each
evidence span). The page is written atomically (a temporary file renamed over ``path``) in
``end()``.

Thumbnails are made in the worker process by :func:`add_thumbnail`, which stores a JPEG
``data:`` URI under the result's ``_thumbnail`` key (keys starting with ``_`` are for this report
only; the other renderers never see them).
"""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources
import hashlib
import io
import os
import re
import shutil
import tempfile
import warnings
from datetime import datetime
from html import escape
from typing import Any

THUMB_SIZE = 240
"""Thumbnails fit in a box this many pixels wide and high."""
THUMB_QUALITY = 70
TINY = 96
"""Images smaller than this on their longer side are enlarged (by a whole factor) to about this size."""

TEXT_HEAD = 4000
"""Characters of each field shown from its start; beyond that only evidence context."""
EVIDENCE_CONTEXT = 200
"""Characters shown either side of an evidence span beyond the head."""
EVIDENCE_SPAN_MAX = 2000
"""Characters of one evidence span shown at most (the rest of a huge span is elided)."""
MAX_SPANS_PER_FIELD = 200
"""Evidence spans highlighted per field at most (a megabyte of 'NO SALES' stays readable)."""
MAX_ERRORS_LISTED = 500
"""Unreadable files listed in the summary at most (every one still has its card)."""
ERROR_TEXT_MAX = 2000
REASON_TEXT_MAX = 2000

VERDICTS = ("ok", "needs_review", "violation")
FILTER_VERDICTS = ("ok", "needs_review", "violation", "error")
VERDICT_LABEL = {"ok": "OK", "needs_review": "Needs review", "violation": "Violation",
                 "error": "Error", "none": "No verdict", "info": "Info"}
VERDICT_RANK = {"info": -1, "ok": 0, "needs_review": 1, "violation": 2}

PRIMARY_FIELDS = ("headline", "caption", "special_instructions", "usage_terms", "copyright",
                  "credit", "source", "byline", "web_statement")
"""Fields shown open on a card (others, without evidence, fold away)."""

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".tif", ".tiff", ".png", ".webp", ".heic", ".heif",
                    ".avif", ".gif", ".bmp", ".jxl", ".dng", ".xmp"}

_DATA_URI = re.compile(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+\Z")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _e(value: Any) -> str:
    """HTML-escape anything from an input (quotes too, so it is safe in attributes)."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return escape(_CONTROL.sub("\ufffd", text), quote=True)


def _cap(text: Any, limit: int) -> str:
    text = text if isinstance(text, str) else "" if text is None else str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f"… [{len(text) - limit:,} more characters]"


def _verdict_class(verdict: Any) -> str:
    v = str(verdict) if verdict is not None else "none"
    return v if v in VERDICT_LABEL else "none"


# --- thumbnails (run in the worker) ----------------------------------------------------------

def add_thumbnail(item: Any, result: dict[str, Any]) -> None:
    """Put a small JPEG ``data:`` URI of ``item``'s image under ``result["_thumbnail"]``.

    Nothing for text inputs, error results, or files Pillow cannot open (HEIC/AVIF without a
    plugin, XMP sidecars, broken files); decompression bombs (Pillow's ``MAX_IMAGE_PIXELS``,
    kept as it is) give no thumbnail. Never raises: the report keeps its row either way."""
    path = getattr(item, "path", None)
    if path is None or "error" in result:
        return
    try:
        uri = thumbnail_data_uri(path)
    except Exception:  # noqa: BLE001 - a thumbnail is a nicety; the report is what counts
        return
    if uri is not None:
        result["_thumbnail"] = uri


def thumbnail_data_uri(path: str | os.PathLike[str], size: int = THUMB_SIZE) -> str | None:
    """A JPEG ``data:`` URI of the image at ``path``, EXIF orientation applied, fitting in
    ``size`` × ``size``; None when it is not an image Pillow reads. Raises on a decompression
    bomb or a damaged file."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    with open(path, "rb") as fh:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", Image.DecompressionBombWarning)
            try:
                im = Image.open(fh)
            except UnidentifiedImageError:
                return None
        with im:
            bomb = any(issubclass(w.category, Image.DecompressionBombWarning) for w in caught)
            if im.format == "JPEG":
                # decode at a reduced scale (1/2 … 1/8): a huge JPEG never fills memory
                im.draft("RGB", (size, size))
            elif bomb:
                # over MAX_IMAGE_PIXELS (but under Pillow's hard limit) and no cheap way to
                # decode it small: no thumbnail
                raise Image.DecompressionBombError(f"{path}: too many pixels for a thumbnail")
            im.getexif()  # read the orientation before the pixels are replaced
            im.thumbnail((size, size), Image.Resampling.LANCZOS)
            thumb = _to_rgb(ImageOps.exif_transpose(im))
            if max(thumb.size) < TINY:
                # a tiny image (an 8 × 8 test file, an icon) is shown enlarged, its pixels kept sharp
                factor = max(1, TINY // max(thumb.size))
                thumb = thumb.resize((thumb.width * factor, thumb.height * factor), Image.Resampling.NEAREST)
            buf = io.BytesIO()
            thumb.save(buf, "JPEG", quality=THUMB_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _to_rgb(im):
    from PIL import Image

    if im.mode == "RGB":
        return im
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        return im.point(lambda v: v / 256).convert("L").convert("RGB")
    return im.convert("RGB")


# --- highlighting ----------------------------------------------------------------------------

class _Span:
    __slots__ = ("start", "end", "type", "verdict", "reason")

    def __init__(self, start: int, end: int, rtype: str, verdict: str, reason: str):
        self.start, self.end, self.type, self.verdict, self.reason = start, end, rtype, verdict, reason


def _windows(length: int, spans: list[_Span]) -> list[tuple[int, int]]:
    """The parts of a field shown: its head, and each evidence span with some context."""
    if length <= TEXT_HEAD:
        return [(0, length)] if length else []
    wins = [(0, TEXT_HEAD)]
    for s in spans:
        end = min(s.end, s.start + EVIDENCE_SPAN_MAX)
        wins.append((max(0, s.start - EVIDENCE_CONTEXT), min(length, end + EVIDENCE_CONTEXT)))
    wins.sort()
    merged: list[tuple[int, int]] = []
    for a, b in wins:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _mark_title(spans: list[_Span]) -> str:
    return "\n".join(f"{s.type}: {VERDICT_LABEL.get(s.verdict, s.verdict)}"
                     + (f" — {_cap(s.reason, 300)}" if s.reason else "") for s in spans)


def highlight(text: str, spans: list[_Span]) -> str:
    """``text`` as escaped HTML with each span in a ``<mark>`` coloured by the worst verdict
    covering it, a label (restriction type) at each span's start; long text is elided to the
    head and the context of the spans."""
    length = len(text)
    spans = [s for s in spans if 0 <= s.start < s.end <= length][:MAX_SPANS_PER_FIELD]
    spans.sort(key=lambda s: (s.start, -s.end))
    out: list[str] = []
    pos = 0
    for a, b in _windows(length, spans):
        if a > pos:
            out.append(f'<span class="gap">… {a - pos:,} characters not shown …</span>')
        inside = [s for s in spans if s.start < b and s.end > a]
        cuts = {a, b}
        for s in inside:
            cuts.add(max(a, s.start))
            cuts.add(min(b, s.end))
        points = sorted(cuts)
        labelled: set[int] = set()
        for p, q in zip(points, points[1:]):
            for i, s in enumerate(inside):
                if id(s) not in labelled and max(a, s.start) == p:
                    labelled.add(id(s))
                    out.append(f'<span class="tag v-{_e(s.verdict)}" data-label="{_e(s.type)}" '
                               f'title="{_e(_mark_title([s]))}"></span>')
            covering = [s for s in inside if s.start <= p and s.end >= q]
            piece = _e(text[p:q])
            if covering:
                worst = max(covering, key=lambda s: VERDICT_RANK.get(s.verdict, -1)).verdict
                types = " ".join(dict.fromkeys(s.type for s in covering))
                out.append(f'<mark class="hl v-{_e(worst)}" data-types="{_e(types)}" '
                           f'title="{_e(_mark_title(covering))}">{piece}</mark>')
            else:
                out.append(piece)
        pos = b
    if length > pos:
        out.append(f'<span class="gap">… {length - pos:,} characters not shown</span>')
    return "".join(out)


# --- the report --------------------------------------------------------------------------------

class HtmlReport:
    """Collects results as they stream (``begin``, ``add`` per input, ``end``) and writes one
    self-contained HTML page to ``path`` atomically at ``end``."""

    def __init__(self, path: str | os.PathLike[str], command: str = "check"):
        self.path = os.fspath(path)
        self.command = command
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory) or not os.access(directory, os.W_OK | os.X_OK):
            from ..errors import InputError  # fail before the batch, not after it
            raise InputError(f"{self.path}: cannot write the report: the folder {directory} "
                             f"{'is not writable' if os.path.isdir(directory) else 'does not exist'}")
        self.meta: dict[str, Any] = {}
        self.started = datetime.now().astimezone()
        self._spool = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
        self._cards = 0
        self._counts: dict[str, int] = {}
        self._types: dict[str, int] = {}
        self._errors: list[tuple[str, str]] = []
        self._error_count = 0
        self._manifests: dict[tuple[str, str], int] = {}

    # the renderer protocol ----------------------------------------------------------------

    def begin(self, meta: dict[str, Any]) -> None:
        self.meta = dict(meta or {})

    def add(self, result: dict[str, Any]) -> None:
        """One input's result (a report, or an error ``{"source", "error"}``), in input order."""
        self._cards += 1
        if "error" in result:
            self._error_count += 1
            self._counts["error"] = self._counts.get("error", 0) + 1
            if len(self._errors) < MAX_ERRORS_LISTED:
                self._errors.append((_cap(result.get("source"), 500), _cap(result.get("error"), ERROR_TEXT_MAX)))
            self._spool.write(self._error_card(result))
        else:
            self._spool.write(self._card(result))

    def end(self, summary: dict[str, Any]) -> None:
        """Write the page (atomically) and release the spool."""
        from ..files import atomic_output

        try:
            with atomic_output(self.path, "report") as out:
                out.write(self._head(summary or {}))
                self._spool.flush()
                self._spool.seek(0)
                shutil.copyfileobj(self._spool, out)
                out.write(self._tail())
        finally:
            self._spool.close()

    # cards --------------------------------------------------------------------------------

    def _card(self, r: dict[str, Any]) -> str:
        verdict = _verdict_class(r.get("verdict"))
        self._counts[verdict] = self._counts.get(verdict, 0) + 1
        restrictions = r.get("restrictions") or []
        findings = r.get("findings") or []
        types = list(dict.fromkeys(str(x.get("type")) for x in restrictions if isinstance(x, dict)))
        for t in types:
            self._types[t] = self._types.get(t, 0) + 1
        manifest = r.get("manifest") if isinstance(r.get("manifest"), dict) else None
        if manifest:
            key = (str(manifest.get("path")), str(manifest.get("sha256")))
            if key in self._manifests or len(self._manifests) < 50:
                self._manifests[key] = self._manifests.get(key, 0) + 1

        # each restriction's verdict and reason: findings line up with restrictions, else by type
        by_type = {str(f.get("type")): f for f in findings if isinstance(f, dict)}
        aligned = len(findings) == len(restrictions) and all(
            isinstance(f, dict) and isinstance(x, dict) and f.get("type") == x.get("type")
            for f, x in zip(findings, restrictions))
        spans: dict[str, list[tuple[_Span, dict[str, Any]]]] = {}
        for i, x in enumerate(restrictions):
            if not isinstance(x, dict):
                continue
            f = findings[i] if aligned else by_type.get(str(x.get("type")))
            fv = _verdict_class(f.get("verdict")) if f else "info"
            reason = str(f.get("reason") or "") if f else ""
            for ev in x.get("evidence") or []:
                if not isinstance(ev, dict):
                    continue
                try:
                    span = _Span(int(ev["start"]), int(ev["end"]), str(x.get("type")), fv, reason)
                except (KeyError, TypeError, ValueError):
                    continue
                spans.setdefault(str(ev.get("field")), []).append((span, ev))

        fields = r.get("fields") if isinstance(r.get("fields"), dict) else {}
        source = str(r.get("source", ""))
        parts = [f'<article class="card v-{verdict}" data-verdict="{verdict}" '
                 f'data-types="{_e(" ".join(types))}" data-source="{_e(source)}">',
                 self._thumb(r, source),
                 '<div class="body">',
                 self._card_head(verdict, source, r, manifest)]

        # text fields: those with evidence and the primary ones open, the rest folded away
        shown_open, folded = [], []
        order = [k for k in PRIMARY_FIELDS if k in fields] + [k for k in fields if k not in PRIMARY_FIELDS]
        for name in order:
            value = fields.get(name)
            if not isinstance(value, str) or not value:
                continue
            field_spans = [s for s, _ in spans.get(name, [])]
            row = (f'<div class="field"><div class="fname">{_e(name)}</div>'
                   f'<div class="ftext" dir="auto">{highlight(value, field_spans)}</div></div>')
            (shown_open if field_spans or name in PRIMARY_FIELDS else folded).append(row)
        # evidence in fields that are not among the text fields (machine-readable ones)
        for name, pairs in spans.items():
            if isinstance(fields.get(name), str) and fields.get(name):
                continue
            for span, ev in pairs[:MAX_SPANS_PER_FIELD]:
                text = str(ev.get("text") or "")
                one = _Span(0, len(text), span.type, span.verdict, span.reason)
                shown_open.append(f'<div class="field"><div class="fname">{_e(name)}</div>'
                                  f'<div class="ftext" dir="auto">{highlight(text, [one])}</div></div>')
        if shown_open:
            parts.append('<div class="fields">' + "".join(shown_open) + "</div>")
        elif not folded:
            parts.append('<p class="muted">No text fields.</p>')
        if folded:
            parts.append(f'<details class="more"><summary>Other fields ({len(folded)})</summary>'
                         f'<div class="fields">{"".join(folded)}</div></details>')

        if findings:
            rows = []
            for f in findings:
                if not isinstance(f, dict):
                    continue
                fv = _verdict_class(f.get("verdict"))
                mf = f.get("manifest_field")
                rows.append(f'<tr class="v-{fv}" data-type="{_e(f.get("type"))}">'
                            f'<td><code>{_e(f.get("type"))}</code></td>'
                            f'<td><span class="badge v-{fv}">{_e(VERDICT_LABEL[fv])}</span></td>'
                            f'<td class="reason">{_e(_cap(f.get("reason"), REASON_TEXT_MAX))}</td>'
                            f'<td>{f"<code>{_e(mf)}</code>" if mf else "<span class=muted>—</span>"}</td></tr>')
            parts.append('<table class="findings"><thead><tr><th>Restriction</th><th>Verdict</th>'
                         '<th>Reason</th><th>Manifest field</th></tr></thead><tbody>'
                         + "".join(rows) + "</tbody></table>")
        elif self.command == "check":
            parts.append('<p class="muted none-found">No restrictions found in the text.</p>')

        notices = [n for n in (r.get("notices") or []) if isinstance(n, dict)]
        if notices:
            items = "".join(f'<li><span class="kind">{_e(n.get("kind"))}</span>'
                            + (f' <code>{_e(n.get("field"))}</code>' if n.get("field") else "")
                            + f' {_e(_cap(n.get("message"), ERROR_TEXT_MAX))}</li>' for n in notices[:100])
            more = f"<li class=muted>… and {len(notices) - 100} more</li>" if len(notices) > 100 else ""
            parts.append(f'<div class="notices"><h4>Notices</h4><ul>{items}{more}</ul></div>')
        parts.append("</div></article>\n")
        return "".join(parts)

    def _card_head(self, verdict: str, source: str, r: dict[str, Any], manifest: dict[str, Any] | None) -> str:
        head = [f'<header class="chead"><span class="badge big v-{verdict}">{_e(VERDICT_LABEL[verdict])}</span>'
                f'<h3 class="src" title="{_e(source)}">{_e(source)}</h3>']
        if "id" in r:
            head.append(f'<span class="rid">id {_e(r.get("id"))}</span>')
        head.append("</header>")
        meta = []
        if r.get("sha256"):
            meta.append(f'<span title="SHA-256 of the file">sha256 <code>{_e(str(r["sha256"])[:16])}…</code></span>')
        run_manifest = self.meta.get("manifest") if isinstance(self.meta.get("manifest"), dict) else None
        if manifest and (not run_manifest or manifest.get("path") != run_manifest.get("path")
                         or manifest.get("sha256") != run_manifest.get("sha256")):
            meta.append(f'<span class="own-manifest">manifest <code>{_e(manifest.get("path"))}</code> '
                        f'<code title="{_e(manifest.get("sha256"))}">{_e(str(manifest.get("sha256"))[:16])}…</code></span>')
        if meta:
            head.append('<div class="cmeta">' + " · ".join(meta) + "</div>")
        return "".join(head)

    def _thumb(self, r: dict[str, Any], source: str) -> str:
        uri = r.get("_thumbnail")
        if isinstance(uri, str) and _DATA_URI.match(uri):
            return f'<div class="thumb"><img alt="thumbnail of {_e(source)}" src="{uri}"></div>'
        ext = os.path.splitext(source)[1].lower()
        label = "No preview" if ext in IMAGE_EXTENSIONS else "Text"
        return f'<div class="thumb empty"><span>{label}</span></div>'

    def _error_card(self, r: dict[str, Any]) -> str:
        source = str(r.get("source", ""))
        kind = "Internal error" if r.get("internal") else "Could not be read"
        return (f'<article class="card v-error" data-verdict="error" data-types="" data-source="{_e(source)}">'
                f'<div class="thumb empty"><span>Unreadable</span></div><div class="body">'
                f'<header class="chead"><span class="badge big v-error">Error</span>'
                f'<h3 class="src" title="{_e(source)}">{_e(source)}</h3></header>'
                f'<p class="error"><strong>{kind}:</strong> {_e(_cap(r.get("error"), ERROR_TEXT_MAX))}</p>'
                f"</div></article>\n")

    # the page ---------------------------------------------------------------------------------

    def _head(self, summary: dict[str, Any]) -> str:
        tool = self.meta.get("tool") if isinstance(self.meta.get("tool"), dict) else {}
        manifest = self.meta.get("manifest") if isinstance(self.meta.get("manifest"), dict) else None
        date = self.started.strftime("%Y-%m-%d %H:%M %Z").strip() or self.started.isoformat(timespec="minutes")
        inputs = summary.get("inputs", self._cards)
        title = f"rights-check report — {inputs} input{'s' if inputs != 1 else ''}"

        tiles = [("inputs", "Inputs", inputs)]
        if self.command == "check":
            tiles += [(v, VERDICT_LABEL[v], summary.get(v, self._counts.get(v, 0))) for v in VERDICTS]
        tiles.append(("error", "Errors", summary.get("errors", self._error_count)))
        tile_html = "".join(f'<div class="tile v-{k}" data-count="{_e(k)}"><div class="num">{_e(n)}</div>'
                            f'<div class="lbl">{_e(label)}</div></div>' for k, label, n in tiles)

        facts = []
        if manifest:
            facts.append(("Manifest", f'<code>{_e(manifest.get("path"))}</code>'))
            facts.append(("Manifest SHA-256", f'<code class="hash">{_e(manifest.get("sha256"))}</code>'))
        others = [(p, h, n) for (p, h), n in self._manifests.items()
                  if not manifest or (p, h) != (str(manifest.get("path")), str(manifest.get("sha256")))]
        if others:
            lines = "".join(f'<li><code>{_e(p)}</code> <code class="hash">{_e(h)}</code> '
                            f'<span class="muted">({n} input{"s" if n != 1 else ""})</span></li>'
                            for p, h, n in others)
            facts.append(("Per-photo manifests" if manifest else "Manifests applied", f"<ul class='plain'>{lines}</ul>"))
        if self.meta.get("policy"):
            facts.append(("Policy", _e(self.meta.get("policy"))))
        facts.append(("Tool", f'{_e(tool.get("name", "rights-check"))} {_e(tool.get("version", ""))}'))
        if tool.get("rules"):
            facts.append(("Rules", f'<code class="hash">{_e(tool.get("rules"))}</code>'))
        facts.append(("Generated", _e(date)))
        if "exit_code" in summary:
            facts.append(("Exit code", _e(summary.get("exit_code"))))
        fact_html = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)

        banners = []
        if summary.get("interrupted"):
            banners.append(f'<div class="banner">The run was interrupted: only the {self._cards} '
                           f'input{"s" if self._cards != 1 else ""} checked before it stopped are shown.</div>')

        sections = []
        if self._error_count:
            items = "".join(f'<li><code>{_e(s)}</code><div class="err">{_e(m)}</div></li>' for s, m in self._errors)
            if self._error_count > len(self._errors):
                items += f'<li class="muted">… and {self._error_count - len(self._errors)} more (filter by Error below)</li>'
            sections.append(f'<section class="errors" id="errors"><h2>Files that could not be read '
                            f'({self._error_count})</h2><ul class="plain">{items}</ul></section>')
        skipped = [s for s in (summary.get("skipped") or []) if isinstance(s, dict)]
        if skipped:
            items = "".join(f'<li><code>{_e(s.get("source"))}</code> — {_e(s.get("message"))}</li>'
                            for s in skipped[:MAX_ERRORS_LISTED])
            if len(skipped) > MAX_ERRORS_LISTED:
                items += f'<li class="muted">… and {len(skipped) - MAX_ERRORS_LISTED} more</li>'
            sections.append(f'<section class="skipped"><h2>Skipped ({len(skipped)})</h2>'
                            f'<ul class="plain">{items}</ul></section>')

        boxes = "".join(
            f'<label class="chk v-{v}"><input type="checkbox" name="verdict" value="{v}" checked> '
            f'{VERDICT_LABEL[v]} <span class="muted">({self._counts.get(v, 0)})</span></label>'
            for v in FILTER_VERDICTS + (("none",) if self._counts.get("none") else ()))
        options = "".join(f'<option value="{_e(t)}">{_e(t)} ({n})</option>' for t, n in sorted(self._types.items()))

        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src '{_script_hash()}'; base-uri 'none'; form-action 'none'">
<meta name="generator" content="{_e(tool.get("name", "rights-check"))} {_e(tool.get("version", ""))}">
<title>{_e(title)}</title>
<style>{_asset('report.css')}</style>
</head>
<body>
<header class="top">
<h1>rights-check report</h1>
<p class="sub">What the captions and metadata allow, checked against the planned use.</p>
</header>
<main>
{"".join(banners)}
<section class="summary" id="summary">
<div class="tiles">{tile_html}</div>
<dl class="facts">{fact_html}</dl>
</section>
{"".join(sections)}
<nav class="filters" id="filters" aria-label="Filters">
<div class="group"><span class="glabel">Verdict</span>{boxes}</div>
<div class="group"><label class="glabel" for="f-type">Restriction</label>
<select id="f-type"><option value="">any type</option>{options}</select></div>
<div class="group"><label class="glabel" for="f-q">Source</label>
<input id="f-q" type="search" placeholder="path contains…"></div>
<div class="group count">Showing <strong id="shown">{self._cards}</strong> of {self._cards}</div>
</nav>
<section class="cards" id="cards">
"""

    def _tail(self) -> str:
        empty = '<p class="muted" id="no-inputs">No inputs were checked.</p>' if not self._cards else ""
        return (f'</section>{empty}<p class="muted" id="none-shown" hidden>No input matches the filters.</p>'
                f"</main>\n<footer>Generated by rights-check. Verdicts are a reading of the "
                f"text, not legal advice: check anything marked for review with the supplier.</footer>\n"
                f"<script>{_asset('report.js')}</script>\n</body>\n</html>\n")


@cache
def _asset(name: str) -> str:
    """The page's stylesheet or script, kept as package data (data/report/)."""
    return (resources.files("rights_check") / "data" / "report" / name).read_text(encoding="utf-8")


def _script_hash() -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(_asset("report.js").encode("utf-8")).digest()).decode("ascii")


