"""The HTML report (``check --report FILE.html``): escaping, thumbnails, atomic writing, and the
page as a picture editor sees it in a real headless Chromium (issue 4)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image

from rights_check.batch import Item
from rights_check.output import html as html_mod
from rights_check.output.html import HtmlReport, add_thumbnail, highlight

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = os.path.join(ROOT, "fixtures", "images")
USAGE = os.path.join(ROOT, "fixtures", "usage")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

META = {"schema": "rights-check/report@1",
        "tool": {"name": "rights-check", "version": "9.9.9", "rules": "r" * 64},
        "manifest": {"path": "usage.yaml", "sha256": "a" * 64}, "policy": "editorial"}

EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def _report(source: str, caption: str, restrictions=(), findings=(), verdict="ok", **extra):
    return {"source": source, "sha256": "b" * 64, "verdict": verdict, "policy": "editorial",
            "fields": {"caption": caption}, "segments": [], "restrictions": list(restrictions),
            "findings": list(findings), "notices": [], "manifest": dict(META["manifest"]), **extra}


def _write(path, *results, summary=None):
    rep = HtmlReport(str(path), command="check")
    rep.begin(META)
    for r in results:
        rep.add(r)
    rep.end(summary or {"inputs": len(results), "ok": 0, "needs_review": 0, "violation": 0,
                        "errors": 0, "exit_code": 0})
    return path.read_text(encoding="utf-8")


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script\b", page, flags=re.I)


# --- escaping ---------------------------------------------------------------------------------

def test_a_script_in_a_caption_or_a_path_is_escaped(tmp_path):
    caption = f"MANDATORY CREDIT: {EVIL} NO SALES"
    start = caption.index("NO SALES")
    r = _report('photos/"><script>alert(1)</script>.jpg', caption, verdict="violation",
                restrictions=[{"type": "no_resale", "value": None,
                               "evidence": [{"field": "caption", "start": start, "end": start + 8,
                                             "text": "NO SALES", "lang": "en"}]}],
                findings=[{"type": "no_resale", "verdict": "violation",
                           "reason": f"no_resale: the caption says '{EVIL}'", "manifest_field": "resale"}],
                notices=[{"kind": "field_conflict", "message": EVIL, "field": "caption"}])
    error = {"source": "<script>x</script>.jpg", "error": f"{EVIL}: not an image"}
    page = _write(tmp_path / "r.html", r, error)
    assert len(_scripts(page)) == 1  # only the page's own filter script
    assert "<img src=x" not in page and 'onerror="' not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the evidence span is still highlighted and labelled
    assert re.search(r'data-label="no_resale"[^>]*></span><mark class="hl v-violation"[^>]*>NO SALES</mark>', page)


def test_the_cli_report_escapes_a_caption_file(tmp_path):
    cap = tmp_path / "caption.txt"
    cap.write_text(f"{EVIL}\nNO SALES. JAPAN OUT.\n", encoding="utf-8")
    out = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "rights_check", "check", str(cap), "--use",
                           os.path.join(USAGE, "newspaper-editorial-web.yaml"), "--report", str(out),
                           "--format", "jsonl", "--jobs", "1"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode in (0, 1, 3), proc.stderr
    page = out.read_text(encoding="utf-8")
    assert len(_scripts(page)) == 1 and "&lt;script&gt;window.__pwned=1" in page
    assert "_thumbnail" not in proc.stdout


# --- highlighting and the size of a card ----------------------------------------------------

def test_overlapping_spans_are_all_labelled_and_coloured_by_the_worst_verdict():
    S = html_mod._Span
    text = "may not be used in any type of commercial, advertisement or promotion"
    a = S(0, 41, "no_commercial", "ok", "")
    b = S(0, 56, "no_advertising", "violation", "")
    out = highlight(text, [a, b])
    assert out.count('class="tag') == 2
    assert '<mark class="hl v-violation" data-types="no_advertising no_commercial"' in out
    assert "<mark class=\"hl v-violation\" data-types=\"no_advertising\"" in out
    assert out.endswith(" or promotion")


def test_a_megabyte_caption_is_cut_to_its_head_and_the_evidence_context(tmp_path):
    caption = "lorem ipsum " * 100_000 + "NO ARCHIVES" + " dolor" * 50_000
    start = caption.index("NO ARCHIVES")
    r = _report("big.txt", caption, verdict="violation",
                restrictions=[{"type": "no_archive", "value": None,
                               "evidence": [{"field": "caption", "start": start, "end": start + 11,
                                             "text": "NO ARCHIVES", "lang": "en"}]}],
                findings=[{"type": "no_archive", "verdict": "violation", "reason": "r", "manifest_field": "archive"}])
    page = _write(tmp_path / "r.html", r)
    assert len(page) < 60_000
    assert ">NO ARCHIVES</mark>" in page
    assert "characters not shown" in page


# --- thumbnails -----------------------------------------------------------------------------

def _decode(uri: str) -> Image.Image:
    assert uri.startswith("data:image/jpeg;base64,")
    im = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    im.load()
    return im


def test_a_thumbnail_follows_the_exif_orientation(tmp_path):
    im = Image.new("RGB", (600, 200), (220, 0, 0))
    im.paste((0, 0, 220), (300, 0, 600, 200))  # stored: red left, blue right
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated 90° clockwise: red on top, blue below
    path = tmp_path / "rotated.jpg"
    im.save(path, exif=exif.tobytes())
    result: dict = {"source": str(path), "verdict": "ok"}
    add_thumbnail(Item(name=str(path), path=str(path)), result)
    thumb = _decode(result["_thumbnail"])
    assert thumb.format == "JPEG" and thumb.size == (80, 240)
    top, bottom = thumb.getpixel((40, 20)), thumb.getpixel((40, 220))
    assert top[0] > 150 and top[2] < 80, top
    assert bottom[2] > 150 and bottom[0] < 80, bottom


def test_a_big_jpeg_is_decoded_small_and_bounded(tmp_path, monkeypatch):
    path = tmp_path / "big.jpg"
    Image.new("RGB", (4000, 3000), (90, 120, 150)).save(path, quality=50)
    from PIL import JpegImagePlugin

    drafts = []
    real = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        got = real(self, mode, size)
        drafts.append(self.size)
        return got
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    result: dict = {"source": str(path), "verdict": "ok"}
    add_thumbnail(Item(name=str(path), path=str(path)), result)
    assert drafts and drafts[0][0] <= 1000  # decoded at 1/4 scale or less
    assert max(_decode(result["_thumbnail"]).size) == 240


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [40_000, 10_000])  # over Pillow's hard limit; over MAX_IMAGE_PIXELS only
def test_a_decompression_bomb_gives_no_thumbnail_and_no_crash(tmp_path, side):
    limit = Image.MAX_IMAGE_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(side, side))
    result: dict = {"source": str(path), "verdict": "ok"}
    add_thumbnail(Item(name=str(path), path=str(path)), result)
    assert "_thumbnail" not in result
    assert Image.MAX_IMAGE_PIXELS == limit  # the limit is kept as it is


def test_text_inputs_errors_and_unreadable_images_get_no_thumbnail(tmp_path):
    text = tmp_path / "caption.txt"
    text.write_text("NO SALES", encoding="utf-8")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(open(os.path.join(IMAGES, "IPTC.jpg"), "rb").read()[:400])
    heic = os.path.join(IMAGES, "Stonehenge.heic")
    for item, result in [(Item(name="--caption", text="NO SALES"), {"verdict": "ok"}),
                         (Item(name=str(text), path=str(text)), {"verdict": "ok"}),
                         (Item(name=str(broken), path=str(broken)), {"verdict": "ok"}),
                         (Item(name=str(broken), path=str(broken)), {"source": "x", "error": "bad"}),
                         (Item(name="missing.jpg", path=str(tmp_path / "missing.jpg")), {"verdict": "ok"})]:
        add_thumbnail(item, result)
        assert "_thumbnail" not in result
    result = {"verdict": "ok"}
    add_thumbnail(Item(name=heic, path=heic), result)  # a thumbnail only where a HEIF plugin is installed
    assert "_thumbnail" not in result or result["_thumbnail"].startswith("data:image/jpeg;base64,")


def test_a_tiny_image_is_enlarged_and_its_row_shows_it(tmp_path):
    path = os.path.join(IMAGES, "IPTC.jpg")  # 8 × 8 pixels
    result = _report(path, "A witty caption")
    add_thumbnail(Item(name=path, path=path), result)
    assert _decode(result["_thumbnail"]).size == (96, 96)
    page = _write(tmp_path / "r.html", result)
    assert '<img alt="thumbnail of ' in page and result["_thumbnail"] in page


# --- writing the file -------------------------------------------------------------------------

def test_the_page_is_written_atomically_at_the_end(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")
    rep = HtmlReport(str(target))
    rep.begin(META)
    rep.add(_report("a.jpg", "caption"))
    assert target.read_text(encoding="utf-8") == "old report"  # nothing is written while streaming
    rep.end({"inputs": 1, "ok": 1, "needs_review": 0, "violation": 0, "errors": 0, "exit_code": 0})
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert os.listdir(tmp_path) == ["report.html"]  # no temporary file left behind
    umask = os.umask(0o022)
    os.umask(umask)
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600

    def fail(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(html_mod.os, "replace", fail)
    rep = HtmlReport(str(target))
    rep.begin(META)
    rep.add(_report("b.jpg", "caption"))
    with pytest.raises(OSError):
        rep.end({"inputs": 1})
    assert target.read_text(encoding="utf-8") == page  # the old page is intact
    assert os.listdir(tmp_path) == ["report.html"]


def test_a_report_in_a_missing_folder_fails_before_the_batch(tmp_path):
    from rights_check import cli

    code = cli.main(["check", "--caption", "NO SALES", "--use", os.path.join(USAGE, "newspaper-editorial-web.yaml"),
                     "--report", str(tmp_path / "nowhere" / "r.html"), "--format", "json"])
    assert code == 2
    assert not (tmp_path / "nowhere").exists()


def test_the_summary_names_the_manifest_policy_tool_and_errors(tmp_path):
    page = _write(tmp_path / "r.html", _report("a.jpg", "x", verdict="needs_review"),
                  {"source": "b.jpg", "error": "b.jpg: file ends inside APP13 segment at offset 20"},
                  summary={"inputs": 2, "ok": 0, "needs_review": 1, "violation": 0, "errors": 1, "exit_code": 2,
                           "skipped": [{"kind": "skipped", "source": "fifo", "message": "a FIFO, not a file: not read"}]})
    for text in ("usage.yaml", "a" * 64, "editorial", "9.9.9", "Files that could not be read (1)",
                 "file ends inside APP13 segment", "a FIFO, not a file", "Skipped (1)"):
        assert text in page, text
    assert "default-src 'none'" in page  # the page may load nothing from the network


# --- a real browser -------------------------------------------------------------------------

@pytest.fixture
def report_folder(tmp_path):
    """A folder like a picture desk's incoming one: photos, a caption file, a broken JPEG."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name in ("iptc-staff-photographer-example.jpg", "IPTC.jpg", "MWG.jpg", "mushroom.jpg"):
        shutil.copy(os.path.join(IMAGES, name), folder / name)
    (folder / "caption.txt").write_text(
        f"MANDATORY CREDIT: {EVIL} NO SALES. JAPAN OUT. Editorial use only.\n", encoding="utf-8")
    (folder / "review.txt").write_text("© 2024 Jane Doe. All rights reserved.\n", encoding="utf-8")
    (folder / "broken.jpg").write_bytes(open(os.path.join(IMAGES, "IPTC.jpg"), "rb").read()[:400])
    return folder


def test_thumbnails_made_in_worker_processes_reach_the_report(tmp_path, report_folder):
    from rights_check import batch

    extra = report_folder / "more"
    extra.mkdir()
    jpegs = sorted(n for n in os.listdir(IMAGES) if n.lower().endswith(".jpg"))
    for name in jpegs:
        shutil.copy(os.path.join(IMAGES, name), extra / name)
    assert len(jpegs) + 7 >= batch.SERIAL_BELOW  # enough inputs for the workers to start
    report = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "rights_check", "check", str(report_folder), "--use",
                           os.path.join(USAGE, "newspaper-editorial-web.yaml"), "--report", str(report),
                           "--format", "jsonl", "--jobs", "2"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert not any("_thumbnail" in json.loads(line) for line in proc.stdout.splitlines())
    page = report.read_text(encoding="utf-8")
    # one thumbnail per image Pillow can decode: the four photos and the copied fixtures that open
    from PIL import Image

    decodable = 4
    for name in jpegs:
        try:
            with Image.open(extra / name) as im:
                im.load()
            decodable += 1
        except Exception:  # noqa: BLE001 - a fixture Pillow cannot decode gets no thumbnail
            pass
    assert page.count("data:image/jpeg;base64,") == decodable


def _chrome(tmp_path, monkeypatch):
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        message = (f"headless browser test needs Debian's chromium and chromium-driver "
                   f"({CHROMIUM}, {CHROMEDRIVER}): apt-get install chromium chromium-driver")
        if os.environ.get("RIGHTS_CHECK_REQUIRE_BROWSER"):  # set by .ci/run once it installed them
            pytest.fail(message)
        pytest.skip(message)
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager downloads nothing
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={tmp_path / 'chrome-profile'}", "--window-size=1366,1000"):
        options.add_argument(arg)
    service = Service(executable_path=CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    return driver


def test_the_report_in_a_headless_browser(tmp_path, monkeypatch, report_folder):
    report = tmp_path / "report.html"
    proc = subprocess.run([sys.executable, "-m", "rights_check", "check", str(report_folder), "--use",
                           os.path.join(USAGE, "newspaper-editorial-web.yaml"), "--report", str(report),
                           "--format", "jsonl", "--jobs", "2"], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr  # the broken JPEG is an input error
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert not any("_thumbnail" in line for line in lines)
    expected = {line["source"]: ("error" if "error" in line else line["verdict"]) for line in lines}
    assert len(expected) == 7 and expected[str(report_folder / "broken.jpg")] == "error"
    assert len(set(expected.values())) >= 3  # enough different verdicts for the filters to mean something

    driver = _chrome(tmp_path, monkeypatch)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    try:
        driver.get(report.as_uri())
        assert driver.title.startswith("rights-check report")
        # the summary counts what the run printed
        for key in ("ok", "needs_review", "violation", "error"):
            tile = driver.find_element(By.CSS_SELECTOR, f'.tile[data-count="{key}"] .num')
            assert int(tile.text) == sum(v == key for v in expected.values()), key
        assert driver.find_element(By.CSS_SELECTOR, '.tile[data-count="inputs"] .num').text == "7"
        assert "newspaper-editorial-web.yaml" in driver.find_element(By.ID, "summary").text

        # one card per input, in input order, each with its verdict
        cards = driver.find_elements(By.CSS_SELECTOR, "#cards .card")
        assert [c.get_attribute("data-source") for c in cards] == list(expected)
        assert [c.get_attribute("data-verdict") for c in cards] == list(expected.values())
        assert all(c.is_displayed() for c in cards)

        # every photo's thumbnail decoded; the text inputs and the broken file have none
        images = driver.execute_script(
            "return Array.from(document.querySelectorAll('#cards .card')).map(c => {"
            " const i = c.querySelector('.thumb img'); return i ? i.naturalWidth : 0; });")
        for (source, _), width in zip(expected.items(), images):
            photo = source.endswith(".jpg") and not source.endswith("broken.jpg")
            assert (width > 0) == photo, (source, width)
        # nothing was fetched from the network, and the caption's script never ran
        assert driver.execute_script(
            "return performance.getEntriesByType('resource').filter(e => !e.name.startsWith('data:')).length") == 0
        assert driver.execute_script("return window.__pwned === undefined")
        caption_card = cards[list(expected).index(str(report_folder / "caption.txt"))]
        assert "<script>window.__pwned=1</script>" in caption_card.text

        # the broken file is listed with its error, at the top and in its card
        errors = driver.find_element(By.ID, "errors").text
        assert "broken.jpg" in errors and "APP13" in errors
        broken = cards[list(expected).index(str(report_folder / "broken.jpg"))]
        assert "Could not be read" in broken.text and "APP13" in broken.text

        # the evidence is highlighted and labelled in the staff photographer's special instructions
        staff = cards[list(expected).index(str(report_folder / "iptc-staff-photographer-example.jpg"))]
        marks = staff.find_elements(By.CSS_SELECTOR, "mark.hl")
        assert any(m.text == "Newspapers Out" and "v-violation" in m.get_attribute("class") for m in marks)
        assert staff.find_elements(By.CSS_SELECTOR, '.tag[data-label="media_excluded"]')
        assert staff.find_element(By.CSS_SELECTOR, "table.findings tr.v-violation").is_displayed()

        def visible():
            return [c.get_attribute("data-source") for c in cards if c.is_displayed()]

        def shown_count():
            return int(driver.find_element(By.ID, "shown").text)

        # verdict filter: hide the violations, then the errors
        driver.find_element(By.CSS_SELECTOR, 'input[name=verdict][value="violation"]').click()
        want = [s for s, v in expected.items() if v != "violation"]
        assert visible() == want and shown_count() == len(want)
        driver.find_element(By.CSS_SELECTOR, 'input[name=verdict][value="error"]').click()
        want = [s for s, v in expected.items() if v not in ("violation", "error")]
        assert visible() == want
        for value in ("violation", "error"):
            driver.find_element(By.CSS_SELECTOR, f'input[name=verdict][value="{value}"]').click()
        assert visible() == list(expected)

        # restriction-type filter: only the cards with that restriction
        chooser = Select(driver.find_element(By.ID, "f-type"))
        types = {opt.get_attribute("value") for opt in chooser.options} - {""}
        assert "media_excluded" in types
        chooser.select_by_value("media_excluded")
        want = [c.get_attribute("data-source") for c in cards
                if "media_excluded" in c.get_attribute("data-types").split()]
        assert visible() == want and 0 < len(want) < len(cards)
        chooser.select_by_value("")
        assert visible() == list(expected)

        # a screenshot of the whole page
        shot = tmp_path / "report.png"
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1366, min(max(height + 120, 1000), 6000))
        assert driver.save_screenshot(str(shot))
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        keep = os.environ.get("RIGHTS_CHECK_SCREENSHOT")
        if keep:  # for a person to look at
            shutil.copy(shot, keep)
    finally:
        driver.quit()
