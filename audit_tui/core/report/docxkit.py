"""Small python-docx helpers: the reference document, safe text, fields, tables, shading.

Every piece of text that reaches the document goes through `clean`, which drops the
characters XML (and so python-docx) cannot store.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from ..settings import load_settings
from ..templates import BUILTIN_DIR

REFERENCE_NAME = "reference.docx"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
HEADER_FILL = "1F3864"
OVERDUE_FILL = "FCE4D6"
CONCERN_FILL = "F8D7DA"
ZEBRA_FILL = "F2F5FA"
KEEP_TOGETHER_ROWS = 12  # tables this short are kept on one page with their heading
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'


def clean(text) -> str:
    """Text python-docx can store: no control characters, surrogates or non-characters."""
    return _XML_INVALID.sub("", "" if text is None else str(text))


def long_date(value) -> str:
    """2026-02-10 → 10 February 2026 (text left as it is when it is not a date)."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def reference_path() -> Path | None:
    """The organisation's reference docx (in its template folder), else the built-in one."""
    candidates = []
    user_dir = load_settings().template_dir
    if user_dir:
        candidates.append(Path(user_dir).expanduser() / REFERENCE_NAME)
    candidates.append(BUILTIN_DIR / REFERENCE_NAME)
    return next((p for p in candidates if p.is_file()), None)


def new_document(reference: str | Path | None = None):
    """A document with the reference docx's styles, page set-up, headers and footers, and an empty body."""
    path = Path(reference) if reference else reference_path()
    if path is None:
        from .make_reference import build_reference

        buffer = io.BytesIO()
        build_reference(buffer)
        buffer.seek(0)
        doc = Document(buffer)
    else:
        doc = Document(str(path))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def style_id(doc, name: str, fallback: str = "Normal") -> str | None:
    """The style id of a paragraph style by name (fallback when an organisation's docx lacks it)."""
    for candidate in (name, fallback):
        try:
            return doc.styles[candidate].style_id
        except KeyError:
            continue
    return None


def para(doc_or_cell, text: str = "", style: str | None = None, *, bold: bool = False, italic: bool = False,
         align=None):
    """Add a paragraph of clean text."""
    paragraph = doc_or_cell.add_paragraph()
    if style:
        try:
            paragraph.style = style
        except KeyError:
            pass
    if text:
        run = paragraph.add_run(clean(text))
        run.bold = bold or None
        run.italic = italic or None
    if align is not None:
        paragraph.alignment = align
    return paragraph


def runs(paragraph, parts: Iterable[tuple[str, bool]]):
    """Add (text, bold) runs to a paragraph."""
    for text, bold in parts:
        run = paragraph.add_run(clean(text))
        if bold:
            run.bold = True
    return paragraph


def heading(doc, text: str, level: int = 1):
    return doc.add_heading(clean(text), level)


def bullet(doc, text: str, style: str = "List Bullet"):
    return para(doc, text, style)


def _field_runs(paragraph, instruction: str, placeholder: str = "") -> None:
    """Append a complex field (begin, instruction, separate, cached result, end) to a paragraph."""
    def fld(kind: str):
        run = OxmlElement("w:r")
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            char.set(qn("w:dirty"), "true")
        run.append(char)
        return run

    paragraph._p.append(fld("begin"))
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    paragraph._p.append(instr_run)
    paragraph._p.append(fld("separate"))
    result = paragraph.add_run(placeholder)
    paragraph._p.append(result._r)
    paragraph._p.append(fld("end"))


def simple_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A w:fldSimple (PAGE, NUMPAGES) with a cached result."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def add_toc(doc, entries: Sequence[tuple[int, str]], title: str = "Contents") -> None:
    """A table-of-contents field; its cached result lists `entries` (level, text) until Word updates it."""
    para(doc, title, "TOC Heading")
    entries = list(entries) or [(1, "Update this field to show the contents")]
    paragraphs = []
    for level, text in entries:
        paragraph = doc.add_paragraph()
        try:
            paragraph.style = f"TOC {level}"
        except KeyError:
            pass
        paragraphs.append((paragraph, text))
    first, first_text = paragraphs[0]
    # begin + instruction + separate in the first paragraph, end after the last entry
    _field_runs(first, TOC_INSTRUCTION, clean(first_text))
    end_run = first._p[-1]
    first._p.remove(end_run)
    for paragraph, text in paragraphs[1:]:
        paragraph.add_run(clean(text))
    paragraphs[-1][0]._p.append(end_run)
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def page_number_footer(doc) -> None:
    """'Page N of M' in the footer of every section (not on the title page), unless already there."""
    for section in doc.sections:
        section.different_first_page_header_footer = True
        footer = section.footer
        xml = footer._element.xml
        if "PAGE" in xml:
            continue
        paragraph = footer.paragraphs[0] if footer.paragraphs and not footer.paragraphs[0].text else \
            footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run("Page ")
        simple_field(paragraph, "PAGE")
        paragraph.add_run(" of ")
        simple_field(paragraph, "NUMPAGES")


def shade(cell, fill: str) -> None:
    """Background colour of a table cell (hex RGB)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = tc_pr.find(qn("w:shd"))
    if shd is None:
        shd = OxmlElement("w:shd")
        tc_pr.append(shd)
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _cell_text(cell, text: str, style: str | None, *, bold: bool = False, color: RGBColor | None = None) -> None:
    paragraph = cell.paragraphs[0]
    if style:
        paragraph._p.style = style
    run = paragraph.add_run(clean(text))
    if bold:
        run.bold = True
    if color is not None:
        run.font.color.rgb = color


def _text_xml(text: str) -> str:
    """Escaped run content: line breaks become w:br, tabs spaces."""
    parts = [escape(part) for part in clean(text).replace("\t", " ").replace("\r", "").split("\n")]
    return '</w:t><w:br/><w:t xml:space="preserve">'.join(parts)


def _data_rows(rows: Sequence[Sequence], grid: list[int], style: str | None, *, fills, bold_first: bool,
               numeric: set[int], keep_together: bool = False):
    """Table rows (w:tr elements) for `rows`, parsed in one go; `keep_together` keeps a short table on one page."""
    fills = iter(fills) if fills is not None else None
    p_style = f'<w:pStyle w:val="{escape(style)}"/>' if style else ""
    chunks = []
    for n, values in enumerate(rows):
        keep = "<w:keepNext/>" if keep_together and n < len(rows) - 1 else ""
        fill = next(fills, None) if fills is not None else None
        fill = fill or (ZEBRA_FILL if n % 2 == 1 else None)
        shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
        cells = []
        for i, value in enumerate(values):
            jc = '<w:jc w:val="right"/>' if i in numeric else ""
            r_pr = "<w:rPr><w:b/></w:rPr>" if bold_first and i == 0 else ""
            text = "" if value is None else str(value)
            width = grid[i] if i < len(grid) else grid[-1]
            cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}</w:tcPr>'
                         f'<w:p><w:pPr>{p_style}{keep}{jc}</w:pPr><w:r>{r_pr}<w:t xml:space="preserve">'
                         f'{_text_xml(text)}</w:t></w:r></w:p></w:tc>')
        chunks.append(f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{"".join(cells)}</w:tr>')
    if not chunks:
        return []
    fragment = parse_xml(f'<w:tbl {nsdecls("w")}>{"".join(chunks)}</w:tbl>')
    return list(fragment)


def table(doc, header: Sequence[str] | None, rows: Iterable[Sequence], *, widths: Sequence[float] | None = None,
          fills: Iterable[str | None] | None = None, bold_first: bool = False, numeric: Sequence[int] = ()):
    """A table with a shaded, repeating header row (none when `header` is None; then give `widths`);
    `fills` shades whole rows (None for none), other rows are zebra-striped.

    The header row is built with python-docx; the data rows are written as WordprocessingML in one
    parse (per-cell python-docx calls made a 50,000-row action plan take minutes).
    """
    cell_style = style_id(doc, "Table Text")
    columns = len(header) if header else len(widths or ())
    tbl = doc.add_table(rows=1 if header else 0, cols=columns)
    try:
        tbl.style = "Table Grid"
    except KeyError:
        pass
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths:
        tbl.autofit = False
        for column, width in zip(tbl.columns, widths):
            column.width = Cm(width)
    head = tbl.rows[0] if header else None
    if head is not None:
        _repeat_header(head)
        white = RGBColor(0xFF, 0xFF, 0xFF)
        for i, (cell, text) in enumerate(zip(head.cells, header)):
            _cell_text(cell, text, cell_style, bold=True, color=white)
            shade(cell, HEADER_FILL)
            if widths:
                cell.width = Cm(widths[i])
    rows = list(rows)
    keep_together = len(rows) <= KEEP_TOGETHER_ROWS
    if head is not None and keep_together:
        for cell in head.cells:
            cell.paragraphs[0].paragraph_format.keep_with_next = True
    grid = [int(col.w / 635) if col.w is not None else 1000 for col in tbl._tbl.tblGrid.gridCol_lst]
    for tr in _data_rows(rows, grid, cell_style, fills=fills, bold_first=bold_first, numeric=set(numeric),
                         keep_together=keep_together):
        tbl._tbl.append(tr)
    if head is not None:
        head_cells = head.cells
        for i in numeric:
            head_cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()
    return tbl


def picture(doc, png: bytes, width_cm: float = 16.0, caption: str = "") -> None:
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if caption:
        para(doc, caption, "Caption")


def page_break(doc) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def spacer(doc, points: int = 6):
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(points)
    return paragraph
