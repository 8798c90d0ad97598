"""Documents fit to circulate (README "Reports"): read back from the files the CLI writes.

Properties (title, organisation as author, created now, en-GB), the protective marking on every
page, alt text on every chart, headings that never skip a level, and contents entries that link
to their headings.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def run(*args: str, cwd: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "audit_tui", *args], capture_output=True, text=True,
                            timeout=300, cwd=cwd, env=os.environ)
    assert result.returncode == 0, (args, result.stderr)


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """The demo's report and one audit's feedback document, with a marking and organisation set."""
    folder = tmp_path_factory.mktemp("docs")
    config = folder / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"organisation": "Northbridge Council",
                                                      "protective_marking": "OFFICIAL-SENSITIVE PERSONAL"}))
    old = {k: os.environ.get(k) for k in ("AUDIT_TUI_CONFIG_DIR", "AUDIT_TUI_DATA_DIR")}
    os.environ["AUDIT_TUI_CONFIG_DIR"] = str(config)
    os.environ["AUDIT_TUI_DATA_DIR"] = str(folder / "data")
    try:
        db = folder / "demo.db"
        run("demo", "--no-open", "--db", str(db), cwd=folder)
        run("--db", str(db), "report", "-o", str(folder / "report.docx"), cwd=folder)
        import sqlite3
        conn = sqlite3.connect(db)
        audit_id = conn.execute("SELECT id FROM audits WHERE status = 'completed' LIMIT 1").fetchone()[0]
        conn.close()
        run("--db", str(db), "report", "--audit", audit_id, "-o", str(folder / "feedback.docx"), cwd=folder)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return {"report": folder / "report.docx", "feedback": folder / "feedback.docx"}


@pytest.mark.parametrize("kind", ["report", "feedback"])
def test_properties_say_what_it_is_who_made_it_and_when(documents, kind):
    props = docx.Document(documents[kind]).core_properties
    assert props.title.startswith("Case audit report" if kind == "report" else "Case audit feedback")
    assert props.author == "Northbridge Council"
    assert props.language == "en-GB"
    assert datetime.now(timezone.utc) - props.created.replace(tzinfo=timezone.utc) < timedelta(hours=1)
    styles = zipfile.ZipFile(documents[kind]).read("word/styles.xml").decode()
    assert re.search(r'<w:docDefaults>.*<w:lang [^>]*w:val="en-GB"', styles, re.S)


@pytest.mark.parametrize("kind", ["report", "feedback"])
def test_marking_at_the_top_and_bottom_of_every_page(documents, kind):
    for section in docx.Document(documents[kind]).sections:
        parts = [section.header, section.footer]
        if section.different_first_page_header_footer:
            parts += [section.first_page_header, section.first_page_footer]
        for part in parts:
            assert "OFFICIAL-SENSITIVE PERSONAL" in [p.text for p in part.paragraphs]


def test_every_chart_has_alt_text_with_its_figures(documents):
    document = docx.Document(documents["report"])
    pictures = document.element.body.findall(".//" + qn("wp:docPr"))
    assert pictures, "the demo report has charts"
    for picture in pictures:
        descr = picture.get("descr", "")
        assert "chart" in descr and "good or better" in descr and re.search(r"\d", descr), descr


@pytest.mark.parametrize("kind", ["report", "feedback"])
def test_headings_never_skip_a_level(documents, kind):
    levels = [int(p.style.name.split()[-1]) for p in docx.Document(documents[kind]).paragraphs
              if p.style.name.startswith("Heading ")]
    assert levels and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_contents_entries_link_to_their_headings(documents):
    body = docx.Document(documents["report"]).element.body
    bookmarks = {b.get(qn("w:name")): b.getparent() for b in body.iter(qn("w:bookmarkStart"))}
    links = [(l.get(qn("w:anchor")), "".join(t.text for t in l.iter(qn("w:t")))) for l in body.iter(qn("w:hyperlink"))]
    assert len(links) >= 10
    for anchor, text in links:
        heading = bookmarks[anchor]
        assert "".join(t.text for t in heading.iter(qn("w:t"))) == text
    assert "Executive summary" in [text for _, text in links]
