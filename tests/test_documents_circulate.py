"""Documents fit to circulate (README "Reports"): read back from the files the CLI writes.

Properties (title, organisation as author, created now, en-GB), the protective marking on every
page, alt text on every chart, headings that never skip a level, and contents entries that link
to their headings.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime, timedelta, timezone

import docx
import pytest
from docx.oxml.ns import qn

pytestmark = pytest.mark.xdist_group("demo_documents")  # its documents: once, on one worker (--dist loadgroup)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def documents(demo_documents):
    """The demo's report, one audit's feedback and the calibration document, with a marking and organisation
    set (`demo_documents` in conftest.py: shared with test_documents_rendered)."""
    return demo_documents


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


def test_contents_entries_give_their_page_as_a_field_on_the_same_bookmark(documents):
    """No TOC field (LibreOffice drops the page numbers inside one): each entry's page number is a
    PAGEREF field on the bookmark its link goes to, left for the reader to fill in (README, Contents)."""
    doc = docx.Document(documents["report"])
    assert "TOC \\o" not in doc.element.body.xml
    entries = [p for p in doc.paragraphs if p.style.name in ("TOC 1", "TOC 2")]
    assert len(entries) >= 10
    for entry in entries:
        link = entry._p.find(qn("w:hyperlink"))
        fields = [t.text.split() for t in entry._p.iter(qn("w:instrText"))]
        assert fields == [["PAGEREF", link.get(qn("w:anchor")), "\\h"]]
        tab = entry._p.find(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}")
        assert (tab.get(qn("w:val")), tab.get(qn("w:leader"))) == ("right", "dot")


# -- the report's length: a body of figures, the detail in annexes ------------------------------------------

BODY_ROWS = 200  # the demo's body: 114 audits, 5 templates, 11 teams, 4 rounds; the rows per question are in Annex E


def _body_and_annexes(document):
    """The body's elements before the first annex heading, and the annex headings."""
    body = list(document.element.body)
    annexes = [p for p in document.paragraphs if p.style.name == "Heading 1" and p.text.startswith("Annex ")]
    return body[:body.index(annexes[0]._p)], annexes


def test_report_body_holds_figures_and_the_detail_is_in_annexes(documents):
    document = docx.Document(documents["report"])
    body, annexes = _body_and_annexes(document)
    assert [a.text for a in annexes] == ["Annex A: Grades by section", "Annex B: Themes in full",
                                         "Annex C: Open actions", "Annex D: One summary per audit",
                                         "Annex E: Casework figures by question"]
    assert all(a.paragraph_format.page_break_before for a in annexes)
    tables = [t for t in document.tables if t._tbl in body]
    headers = [[c.text for c in t.rows[0].cells] for t in tables]
    assert sum(len(t.rows) for t in tables) <= BODY_ROWS
    # no row per action or per audit in the body; at most five themes of each kind
    assert ["Case", "Action", "Owner", "Due", "Status"] not in headers
    assert ["Case", "Team", "Audited", "Auditor", "Summary"] not in headers
    assert ["Section", "Question", "n/a", "Good or better"] not in headers  # a row per question: Annex E
    themes = [t for t, h in zip(tables, headers) if h == ["Rank", "Theme", "Audits", "For example"]]
    assert len(themes) == 2 and all(len(t.rows) - 1 <= 5 for t in themes)
    # the demo has more themes than that: the annex ranks all of them
    annex_themes = [t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["Rank", "Theme"]
                    and t._tbl not in body]
    assert len(annex_themes[0].rows) > len(themes[0].rows)


def test_report_tables_are_captioned_and_kept_with_their_heading(documents):
    document = docx.Document(documents["report"])
    body = document.element.body
    for number, table in enumerate(document.tables, 1):
        caption = table._tbl.getprevious()
        text = "".join(t.text for t in caption.iter(qn("w:t")))
        assert text.startswith(f"Table {number}. "), text
        assert caption.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
        header = table.rows[0]._tr
        assert header.find(f".//{qn('w:tblHeader')}") is not None and header.find(f".//{qn('w:keepNext')}") is not None
    # a chart is kept with its caption, and the caption with the table of the same figures
    for drawing in body.iter(qn("w:drawing")):
        paragraph = next(drawing.iterancestors(qn("w:p")))
        assert paragraph.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
        figure = paragraph.getnext()
        assert "".join(t.text for t in figure.iter(qn("w:t"))).startswith("Figure ")
        assert figure.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
        assert "".join(t.text for t in figure.getnext().iter(qn("w:t"))).startswith("Table ")



def _keeps(element) -> bool:
    return element.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


def test_report_intro_sentences_and_notes_stay_with_their_tables(documents):
    """The sentence before a table's caption is kept with it (the audit quality table once began a page
    away from its heading and introduction), and the note under a table that explains its asterisks is
    kept on the page of the table's last row (it once began the next page alone)."""
    body = docx.Document(documents["report"]).element.body
    captions = [p for p in body.iterchildren(qn("w:p"))
                if "".join(t.text for t in p.iter(qn("w:t"))).startswith("Table ")]
    for caption in captions:
        before = caption.getprevious()
        if before is not None and before.tag == qn("w:p") and "".join(t.text for t in before.iter(qn("w:t"))):
            assert _keeps(before), "".join(t.text for t in before.iter(qn("w:t")))
    notes = [p for p in body.iterchildren(qn("w:p")) if "".join(t.text for t in p.iter(qn("w:t"))).startswith("* Fewer")]
    assert notes
    for note in notes:
        table = note.getprevious()
        assert table.tag == qn("w:tbl")
        assert all(_keeps(p) for p in table.findall(qn("w:tr"))[-1].iter(qn("w:p")))


def test_report_percentages_come_with_their_bases(documents):
    document = docx.Document(documents["report"])
    shares = [c.text for t in document.tables for row in t.rows[1:] for c in row.cells
              if re.match(r"[\d.]+%", c.text)]
    assert shares
    for text in shares:  # '62.5% (5 of 8)' — never a bare percentage (the trends table adds its RAG status)
        assert re.fullmatch(r"\d+(\.\d)?%\s\((\d+) of (\d+)\)(\n(Red|Amber|Green))?", text), text
        part, whole = map(int, re.search(r"\((\d+) of (\d+)\)", text).groups())
        assert whole >= 5 and part <= whole
    small = [c.text for t in document.tables for row in t.rows[1:] for c in row.cells
             if re.fullmatch(r"\d+ of [1-4]\*", c.text)]
    text = "\n".join(p.text for p in document.paragraphs)
    assert not small or "* Fewer than 5 answers: the count is shown without a percentage" in text


# -- the calibration document -------------------------------------------------------------------------------


def test_calibration_document_speaks_of_questions_grades_and_readiness(documents):
    document = docx.Document(documents["calibration"])
    figures = documents["calibration.json"]
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    # question text, never ids; grades and dates as people write them
    ids = {q["question"] for q in figures["questions"]}
    assert not ids & set(cells) and not any(i in p for i in ids for p in paragraphs)
    assert {q["text"] for q in figures["questions"]} <= set(cells)
    assert not any("_" in c for c in cells), [c for c in cells if "_" in c]
    assert not any(re.fullmatch(r"\d{4}-\d\d-\d\d", c) for c in cells)
    for t in figures["trainees"]:
        # readiness against the trainer's threshold (75% here), from exact agreement over 20 or more questions
        if t["compared"] < 20:
            assert any(p.startswith("Not yet judged") for p in paragraphs)
        else:
            pct = t["exact_pct"]
            shown = f"{pct:.0f}%" if float(pct).is_integer() else f"{pct:.1f}%"
            word = "Ready" if pct >= 75 else "Not yet ready"
            assert (f"{word}: {shown} exact agreement over {t['compared']} questions, against a threshold of 75%."
                    in paragraphs)
        lean = ("higher" if t["graded_higher"] > t["graded_lower"] else "lower")
        assert any(p.startswith(f"Tends to grade {lean} than the reference: higher on {t['graded_higher']}, "
                                f"lower on {t['graded_lower']} of {t['compared']} questions.") for p in paragraphs)
    # kappa only over 10 or more comparisons, explained once
    by_text = {q["text"]: q for q in figures["questions"]}
    for table in document.tables:
        if [c.text for c in table.rows[0].cells] == ["Question", "Compared", "Exact", "Adjacent", "Kappa"]:
            for row in table.rows[1:]:
                if by_text[row.cells[0].text]["compared"] < 10:
                    assert row.cells[4].text == "—"
    assert sum("shown only over 10 or more comparisons" in p for p in paragraphs) == 1
    # the reference reasoning under each of the questions most often graded differently
    for question in figures["most_often_different"][:5]:
        q = next(q for q in figures["questions"] if q["question"] == question)
        at = paragraphs.index(q["text"])
        assert paragraphs[at + 2] == (q["reference_reasoning"] or
                                      "The reference audit gives no reasoning for this question.")


@pytest.mark.parametrize("kind", ["report", "feedback", "calibration"])
def test_no_stray_preview_picture(documents, kind):
    """python-docx's template carries a thumbnail of a blank page (docProps/thumbnail.jpeg): not shipped."""
    with zipfile.ZipFile(documents[kind]) as archive:
        names = archive.namelist()
        rels = archive.read("_rels/.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
    assert not [n for n in names if "thumbnail" in n or n.endswith((".jpeg", ".jpg"))], names
    assert "thumbnail" not in rels and "image/jpeg" not in types


def _rows_kept(table) -> list[bool]:
    return [all(_keeps(p) for p in tr.iter(qn("w:p"))) for tr in table._tbl.findall(qn("w:tr"))]


def test_report_tall_tables_run_on_and_chart_tables_stay_whole(documents):
    """A table of quotes, taller than a third of a page, begins under its heading and runs on to the next
    page (kept whole, it left half a page empty before it); a table of a chart's figures stays whole,
    on the chart's page."""
    document = docx.Document(documents["report"])
    themes = [t for t in document.tables if [c.text for c in t.rows[0].cells] == ["Rank", "Theme", "Audits",
                                                                                  "For example"]]
    assert len(themes) == 2
    for table in themes:
        kept = _rows_kept(table)
        assert kept[:2] == [True, True] and not any(kept[2:]), kept  # its header and first row with its caption
    charted = 0
    for table in document.tables:
        caption = table._tbl.getprevious()
        figure = caption.getprevious()
        if "".join(t.text for t in figure.iter(qn("w:t"))).startswith("Figure "):
            charted += 1
            assert all(_rows_kept(table)[:-1]), "".join(t.text for t in caption.iter(qn("w:t")))
    assert charted >= 4


def test_feedback_sign_off_is_kept_with_the_reflection_before_it(documents):
    """Every paragraph from "The worker's reflection" to the sign-off's heading (a table's rows too) is kept
    with the next: the sign-off was alone on the last page of most of the demo's feedback documents."""
    body = list(docx.Document(documents["feedback"]).element.body)
    texts = ["".join(t.text or "" for t in element.iter(qn("w:t"))) for element in body]
    start, end = texts.index("The worker's reflection"), texts.index("Manager's sign-off")
    for element in body[start:end]:  # (the heading keeps with its table by its style)
        paragraphs = [element] if element.tag == qn("w:p") else list(element.iter(qn("w:p")))
        assert all(_keeps(p) for p in paragraphs), texts[body.index(element)]


@pytest.mark.parametrize("kind", ["report", "feedback", "calibration"])
def test_no_empty_line_left_to_begin_a_blank_page(documents, kind):
    """The empty paragraph after the last table of the document, or of an annex before the next (which
    starts a page), is 1 pt high: a line's height began a blank page when the table filled its page."""
    body = docx.Document(documents[kind]).element.body
    ends = [body[-2]] + [p.getprevious() for p in body.iterchildren(qn("w:p"))
                         if "".join(t.text for t in p.iter(qn("w:t"))).startswith("Annex ")
                         and p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None]
    assert len(ends) == (6 if kind == "report" else 1)
    for element in ends:
        if element.tag == qn("w:p") and not "".join(t.text for t in element.iter(qn("w:t"))):
            assert element.find(f"{qn('w:pPr')}/{qn('w:rPr')}/{qn('w:sz')}").get(qn("w:val")) == "2"
