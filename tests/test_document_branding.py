"""Whose document and which version (README "Fit to circulate"): the organisation's name and logo
and the version line on the first page of every document, in its properties, and a one-sentence
warning when the organisation is unset or the logo cannot be used. Read back from the files the
command line writes."""

from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib
from datetime import date

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from audit_tui.cli.main import main
from audit_tui.report.make_reference import build_reference

from .factories import known_dataset

NO_ORGANISATION = ("Warning: No organisation name is set, so the document does not say whose it is: set it in "
                   "Settings (F2) as Organisation, or give --organisation NAME.")
TODAY = f"{date.today().day} {date.today():%B %Y}"


def png(width: int, height: int) -> bytes:
    """A real PNG picture of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x1f\x38\x64" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("branding") / "audits.db"
    known_dataset(path).close()
    return path


def settings(**values) -> None:
    folder = os.environ["AUDIT_TUI_CONFIG_DIR"]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "settings.json"), "w", encoding="utf-8") as handle:
        json.dump(values, handle)


def write(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def audit_id(db) -> str:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id FROM audits WHERE status = 'completed' LIMIT 1").fetchone()[0]


def pictures(doc) -> list:
    return list(doc.element.body.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"))


@pytest.mark.parametrize("kind", ["report", "feedback", "calibration"])
def test_logo_and_version_line_open_the_first_page(db, tmp_path, kind):
    (tmp_path / "logo.png").write_bytes(png(300, 100))
    settings(organisation="Northbridge Council", logo=str(tmp_path / "logo.png"))
    out = tmp_path / f"{kind}.docx"
    args = {"report": ["report", "--db", str(db), "-o", str(out)],
            "feedback": ["report", "--db", str(db), "--audit", audit_id(db), "-o", str(out)],
            "calibration": ["calibration", "--db", str(db), "-o", str(out)]}[kind]
    result = write(*args)
    assert result.stderr == ""
    doc = docx.Document(str(out))
    first = doc.paragraphs[0]
    assert first.text == "" and first._p.find(f".//{qn('w:drawing')}") is not None  # the logo, before the title
    logo = pictures(doc)[0]
    assert logo.get("descr") == "Northbridge Council logo"
    extent = first._p.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}extent")
    assert int(extent.get("cy")) == 720000 and int(extent.get("cx")) == 3 * 720000  # 2 cm high, 3:1 kept
    texts = [p.text for p in doc.paragraphs[:6]]
    assert f"Version 1.0 — draft, {TODAY}" in texts
    props = doc.core_properties
    assert props.version == "Version 1.0 — draft" and props.content_status == "Draft"
    app = zipfile.ZipFile(out).read("docProps/app.xml").decode()
    assert "<Company>Northbridge Council</Company>" in app and "<Application>audit-tui</Application>" in app
    assert "Microsoft" not in app


WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


@pytest.mark.parametrize("kind", ["report", "feedback", "calibration"])
def test_the_logo_is_small_in_the_header_of_every_page_but_the_first(db, tmp_path, kind):
    """The first page shows the logo large; every other page's header shows it 1 cm high, floating at the
    left of the top margin (over no text), with the page number still on the first page."""
    logo = png(300, 100)
    (tmp_path / "logo.png").write_bytes(logo)
    settings(organisation="Northbridge Council", logo=str(tmp_path / "logo.png"))
    out = tmp_path / f"{kind}.docx"
    write(*{"report": ["report", "--db", str(db), "-o", str(out)],
            "feedback": ["report", "--db", str(db), "--audit", audit_id(db), "-o", str(out)],
            "calibration": ["calibration", "--db", str(db), "-o", str(out)]}[kind])
    section = docx.Document(str(out)).sections[0]
    assert section.different_first_page_header_footer  # the first page has a header of its own
    anchors = list(section.header._element.iter(f"{WP}anchor"))
    assert len(anchors) == 1 and not list(section.header._element.iter(f"{WP}inline"))
    anchor = anchors[0]
    assert anchor.find(f"{WP}wrapNone") is not None and anchor.get("behindDoc") == "0"
    assert anchor.find(f"{WP}positionH/{WP}align").text == "left"
    extent = anchor.find(f"{WP}extent")
    assert int(extent.get("cy")) == 360000 and int(extent.get("cx")) == 3 * 360000  # 1 cm high, 3:1 kept
    assert anchor.find(f"{WP}docPr").get("descr") == "Northbridge Council logo"
    picture = section.header.part.related_parts[next(anchor.iter(BLIP)).get(EMBED)]
    assert picture.blob == logo
    assert "OFFICIAL-SENSITIVE" in section.header._element.xml  # the marking beside it
    assert "<w:drawing" not in section.first_page_header._element.xml  # the first page: the large logo only
    footer = section.first_page_footer._element.xml
    assert ('w:instr="PAGE"' in footer) == (kind != "report")  # the report's cover is not numbered
    if kind == "feedback":  # without a logo, no picture in the header, and one header for every page
        settings(organisation="Northbridge Council")
        write("report", "--db", str(db), "--audit", audit_id(db), "-o", str(tmp_path / "plain.docx"))
        section = docx.Document(str(tmp_path / "plain.docx")).sections[0]
        assert "<w:drawing" not in section.header._element.xml and not section.different_first_page_header_footer


def test_version_label_from_the_option_then_the_settings(db, tmp_path):
    settings(organisation="Northbridge Council", version_label="Version 3 — for the board")
    write("report", "--db", str(db), "--audit", audit_id(db), "-o", str(tmp_path / "a.docx"))
    doc = docx.Document(str(tmp_path / "a.docx"))
    assert f"Version 3 — for the board, {TODAY}" in [p.text for p in doc.paragraphs[:5]]
    assert doc.core_properties.version == "Version 3 — for the board" and doc.core_properties.content_status == ""
    write("report", "--db", str(db), "-o", str(tmp_path / "b.docx"), "--version-label", "Version 2.0 — final")
    doc = docx.Document(str(tmp_path / "b.docx"))
    assert f"Version 2.0 — final, {TODAY}" in [p.text for p in doc.paragraphs[:5]]
    assert doc.core_properties.version == "Version 2.0 — final"


def test_no_organisation_warns_in_one_sentence_and_still_writes(db, tmp_path):
    settings()
    for args in (["report", "--db", str(db), "-o", str(tmp_path / "r.docx")],
                 ["report", "--db", str(db), "--audit", audit_id(db), "-o", str(tmp_path / "f.docx")],
                 ["calibration", "--db", str(db), "-o", str(tmp_path / "c.docx")]):
        result = write(*args)
        assert result.stderr.splitlines() == [NO_ORGANISATION]
        assert os.path.isfile(args[-1])
    assert docx.Document(str(tmp_path / "r.docx")).core_properties.author == "audit-tui"


def test_organisation_from_the_reference_documents_company(db, tmp_path):
    """A branded reference document made in Word names its company in its properties."""
    brand = tmp_path / "brand"
    brand.mkdir()
    build_reference(brand / "reference.docx")
    with zipfile.ZipFile(brand / "reference.docx") as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["docProps/app.xml"] = parts["docProps/app.xml"].replace(b"<Company/>", b"<Company>Riverside &amp; Vale</Company>")
    with zipfile.ZipFile(brand / "reference.docx", "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    settings(template_dir=str(brand))
    result = write("report", "--db", str(db), "-o", str(tmp_path / "r.docx"))
    assert result.stderr == ""
    doc = docx.Document(str(tmp_path / "r.docx"))
    assert doc.core_properties.author == "Riverside & Vale"
    assert "Riverside & Vale" in [p.text for p in doc.paragraphs[:8]]


@pytest.mark.parametrize("content, reason", [
    (b"GIF89a not a logo", "it is not a PNG or JPEG picture"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "the picture in it cannot be read"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "the file is larger than 2 MB, so it was not read"),
    (None, "there is no such file or folder"),
])
def test_an_unusable_logo_is_left_out_with_its_reason(db, tmp_path, content, reason):
    logo = tmp_path / "logo.png"
    if content is not None:
        logo.write_bytes(content)
    settings(organisation="Northbridge Council", logo=str(logo))
    result = write("report", "--db", str(db), "--audit", audit_id(db), "-o", str(tmp_path / "f.docx"))
    assert result.stderr.splitlines() == [f"Warning: The logo {logo} is left out of the document: {reason}."]
    assert pictures(docx.Document(str(tmp_path / "f.docx"))) == []


def test_a_logo_that_is_a_pipe_is_refused_without_waiting(db, tmp_path):
    logo = tmp_path / "logo.png"
    os.mkfifo(logo)
    settings(organisation="Northbridge Council", logo=str(logo))
    result = write("report", "--db", str(db), "--audit", audit_id(db), "-o", str(tmp_path / "f.docx"))
    assert "is left out of the document: it is a pipe, device or socket, not a regular file" in result.stderr
