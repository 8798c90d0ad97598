"""The documents as a reader sees them: laid out by LibreOffice into a PDF, read back page by page
(README "Fit to circulate", "Contents"). Skipped where LibreOffice or poppler's pdftotext is not
installed (`apt-get install libreoffice-writer-nogui poppler-utils`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_tui.cli.main import main

from .factories import known_dataset
from .test_document_branding import png

pytestmark = [pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                 reason="needs LibreOffice (soffice) and pdftotext"),
              pytest.mark.xdist_group("demo_documents")]  # the demo documents: once, on one worker (--dist loadgroup)
MARKING = "OFFICIAL-SENSITIVE"


def pages_of(*docx_paths: Path, folder: Path) -> list[list[str]] | dict[str, list[list[str]]]:
    """The PDF LibreOffice makes of each of `docx_paths` (in one run of LibreOffice, into `folder`), as
    each page's non-empty lines (marking and page number left out): one document's pages, or several
    documents' pages by file stem."""
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, docx_paths)],
                   check=True, capture_output=True, timeout=240)
    laid_out = {}
    for path in docx_paths:
        text = subprocess.run(["pdftotext", "-layout", str(folder / (path.stem + ".pdf")), "-"],
                              check=True, capture_output=True, text=True).stdout
        laid_out[path.stem] = [
            [line.strip() for line in page.splitlines() if line.strip() and line.strip() != MARKING
             and not re.fullmatch(r"Page \d+ of \d+", line.strip())]
            for page in text.split("\f")[:-1]]
    return laid_out if len(docx_paths) > 1 else laid_out[docx_paths[0].stem]


@contextmanager
def settings_in(folder: Path, **values):
    """The commands run in this process read these settings (a logo, say)."""
    (folder / "config").mkdir()
    (folder / "config" / "settings.json").write_text(json.dumps(values), encoding="utf-8")
    old = os.environ.get("AUDIT_TUI_CONFIG_DIR")
    os.environ["AUDIT_TUI_CONFIG_DIR"] = str(folder / "config")
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("AUDIT_TUI_CONFIG_DIR", None)
        else:
            os.environ["AUDIT_TUI_CONFIG_DIR"] = old


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rendered")
    store = known_dataset(folder / "audits.db")
    store.close()
    with sqlite3.connect(folder / "audits.db") as conn:
        audit = conn.execute("SELECT a.id FROM audits a JOIN actions x ON x.audit_id = a.id "
                             "WHERE a.status = 'completed' LIMIT 1").fetchone()[0]
    (folder / "logo.png").write_bytes(png(300, 100))
    runner = CliRunner()
    with settings_in(folder, logo=str(folder / "logo.png")):
        for args in (["report", "-o", str(folder / "report.docx")],
                     ["report", "--audit", audit, "-o", str(folder / "feedback.docx")]):
            result = runner.invoke(main, [*args, "--db", str(folder / "audits.db"), "--organisation", "Northbridge"])
            assert result.exit_code == 0, result.output
    pages = pages_of(folder / "report.docx", folder / "feedback.docx", folder=folder)
    return {**pages, "pdf": {kind: folder / f"{kind}.pdf" for kind in ("report", "feedback")}}


def test_contents_page_numbers_are_the_pages_the_headings_are_on(rendered):
    pages = rendered["report"]
    entries = [re.fullmatch(r"(.+?)\s*\.{3,}\s*(\d+)", line) for line in pages[1]]
    entries = [(m.group(1), int(m.group(2))) for m in entries if m]
    assert len(entries) >= 10 and entries[0][0] == "Open safeguarding concerns"
    for text, page in entries:
        assert text in pages[page - 1], (text, page)


def test_feedback_has_no_page_left_with_a_line_or_two(rendered):
    """The sign-off with its room to write, and the worker's lines, are kept together on a page."""
    pages = rendered["feedback"]
    assert all(len(page) >= 5 for page in pages), [page[:3] for page in pages]
    sign_off = next(page for page in pages if "Manager's sign-off" in page)
    assert any(line.startswith("Manager's comments") for line in sign_off)
    assert any(line.startswith("Date") for line in sign_off)


def test_feedback_next_steps_heading_is_on_the_page_of_its_table(rendered):
    page = next(page for page in rendered["feedback"] if "Next steps" in page)
    assert any(re.match(r"Action\s+Owner\s+Due\s+Status", line) for line in page)


@pytest.mark.parametrize("kind", ["report", "feedback"])
def test_every_page_shows_the_logo_large_on_the_first_and_small_in_the_header_after(rendered, kind):
    """The logo (300 by 100 pixels) is 2 cm high on the first page and 1 cm high on every other page."""
    listing = subprocess.run(["pdfimages", "-list", str(rendered["pdf"][kind])], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]
    logos = {}  # page -> the logo's resolution (pixels an inch: 300 pixels in 6 cm or 3 cm)
    for line in listing:
        page, _, _, width, height, *rest = line.split()
        if (width, height) == ("300", "100"):
            logos[int(page)] = int(rest[7])
    assert sorted(logos) == list(range(1, len(rendered[kind]) + 1))
    assert logos[1] == 127 and {ppi for page, ppi in logos.items() if page > 1} == {254}


def page_fills(pdf: Path) -> list[float]:
    """For each page, how far down its text goes, as a share of the page's height (the marking at the top
    and the page number and marking at the bottom left out)."""
    text = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    fills = []
    for page in text.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        bottoms = [float(bottom) for top, bottom in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)" '
                                                               r'xMax="[\d.]+" yMax="([\d.]+)"', page)
                   if 0.07 * height < float(top) < 0.92 * height]
        fills.append(max(bottoms, default=0) / height)
    return fills


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory, demo_documents):
    """The demo's report (written once for this and test_documents_circulate), laid out by LibreOffice."""
    folder = tmp_path_factory.mktemp("demo-rendered")
    pages = pages_of(demo_documents["report"], folder=folder)
    return pages, page_fills(folder / "report.pdf")


def test_no_page_of_the_demo_reports_body_is_left_half_empty(demo_report):
    """From the first section to the last page before Annex A (which ends the body), every page's text
    goes at least 60% of the way down: a chart, its table and a table's heading are kept together, but a
    tall table runs on rather than leave most of a page blank (pages 7, 11 and 12 of the demo ended at
    40%, 53% and 55%)."""
    pages, fills = demo_report
    annex_a = next(n for n, page in enumerate(pages) if "Annex A: Grades by section" in page)
    body = range(2, annex_a - 1)
    assert len(body) >= 10
    assert [(n + 1, round(fills[n], 2)) for n in body if fills[n] < 0.6] == []
