"""Small python-docx helpers: the reference document, safe text, fields, tables (rows written as XML text).

Every piece of text that reaches the document goes through `clean`, which drops the
characters XML (and so python-docx) cannot store.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from itertools import chain, count, islice
from pathlib import Path
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from audit_tui.domain.models import XML_FORBIDDEN
from audit_tui.domain.templates import BUILTIN_DIR
from audit_tui.files.settings import load_settings
from audit_tui.files.userfiles import check_unpacked, read_capped
from audit_tui.report.streamed import StreamedTables

REFERENCE_NAME = "reference.docx"
MAX_REFERENCE_BYTES = 20 * 1024 * 1024
MAX_REFERENCE_UNPACKED = 100 * 1024 * 1024
_XML_INVALID = re.compile(f"[{XML_FORBIDDEN}\x7f]")
_XML_SPECIAL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff&<>]")  # _XML_INVALID, tab, CR, LF and markup
HEADER_FILL = "1F3864"
OVERDUE_FILL = "FCE4D6"
CONCERN_FILL = "F8D7DA"
ZEBRA_FILL = "F2F5FA"
KEEP_TOGETHER_ROWS = 12  # tables this short (and no taller than KEEP_TOGETHER_CM) are kept on one page
KEEP_TOGETHER_CM = 8.0  # a third of a page: a taller table kept whole would leave most of a page blank
_CHARS_PER_CM = 6.0  # of 9 pt table text, about (a little more than fit, so a row is not under-counted)
_LINE_CM = 0.37  # a line of 9 pt table text, with the row's padding counted in _ROW_CM
_ROW_CM = 0.12
_STYLE_IDS: WeakKeyDictionary = WeakKeyDictionary()  # document part -> {style name: style id or None}
_TABLE_NUMBERS: WeakKeyDictionary = WeakKeyDictionary()  # document part -> the last table number


def clean(text) -> str:
    """Text python-docx can store: no control characters, surrogates or non-characters."""
    return _XML_INVALID.sub("", "" if text is None else str(text))


@lru_cache(maxsize=4096)
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


def reference_bytes(reference: str | Path | None = None) -> bytes | None:
    """The reference docx (`reference`, else the one `reference_path` finds; None if there is none),
    read as `userfiles` reads a user's file: a regular file, capped when read and when unpacked. The
    one found in the template folder is read only if it is a plain file (not a symlink)."""
    path = Path(reference) if reference else reference_path()
    if path is None:
        return None
    data = read_capped(path, MAX_REFERENCE_BYTES, follow_symlinks=bool(reference) or path.parent == BUILTIN_DIR)
    check_unpacked(path, data, MAX_REFERENCE_UNPACKED)
    return data


def new_document(reference: str | Path | None = None):
    """A document with the reference docx's styles, page set-up, headers and footers, and an empty body."""
    data = reference_bytes(reference)
    buffer = io.BytesIO()
    if data is None:
        from audit_tui.report.make_reference import build_reference

        build_reference(buffer)
    else:
        buffer.write(data)
    buffer.seek(0)
    doc = Document(buffer)
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def style_id(doc_or_cell, name: str, fallback: str | None = "Normal") -> str | None:
    """The style id of a paragraph style by name (fallback when an organisation's docx lacks it).

    Looked up once per document: python-docx's own lookup searches every style, on every paragraph.
    """
    part = doc_or_cell.part
    ids = _STYLE_IDS.setdefault(part, {})
    if name not in ids:
        try:
            ids[name] = part.styles[name].style_id
        except KeyError:
            ids[name] = None
    return ids[name] if ids[name] or fallback is None else style_id(doc_or_cell, fallback, None)


def para(doc_or_cell, text: str = "", style: str | None = None, *, bold: bool = False, italic: bool = False,
         align=None):
    """Add a paragraph of clean text."""
    paragraph = doc_or_cell.add_paragraph()
    if style:
        paragraph._p.style = style_id(doc_or_cell, style, fallback=None)
    if text:
        run = paragraph.add_run(clean(text))
        if bold:
            run.bold = True
        if italic:
            run.italic = True
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
    """A heading paragraph (level 0: the title); levels 1 and 2 carry a bookmark the contents link to."""
    paragraph = para(doc, text, "Title" if level == 0 else f"Heading {level}")
    if level in (1, 2):
        bookmark(paragraph, f"_Toc_{next(_BOOKMARK_IDS)}")
    return paragraph


_BOOKMARK_IDS = count(1)


def bookmark(paragraph, name: str) -> None:
    """Mark the paragraph's text with a bookmark called `name`."""
    number = str(next(_BOOKMARK_IDS) + 100000)
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), number)
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), number)
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def bookmark_of(paragraph) -> str | None:
    """The name of the first bookmark in a paragraph, if any."""
    found = paragraph._p.find(qn("w:bookmarkStart"))
    return None if found is None else found.get(qn("w:name"))


def bullet(doc, text: str, style: str = "List Bullet"):
    return para(doc, text, style)


def no_spare_page(doc) -> None:
    """The empty paragraph after the last table (a document, like a table cell, must end with a paragraph)
    made 1 pt high: one a line high began an empty page when the table filled the page before, at the end
    of a document or of an annex (the next starting a new page)."""
    last = doc.element.body[-2] if len(doc.element.body) > 1 else None
    if last is None or last.tag != qn("w:p") or last.find(qn("w:r")) is not None or _keeps(last):
        return
    paragraph = Paragraph(last, doc)
    paragraph.paragraph_format.space_before = paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(1)
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:rPr {nsdecls("w")}><w:sz w:val="2"/></w:rPr>'))  # its mark


_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_CELL_END = "</w:t></w:r></w:p></w:tc>"
_BOLD = "<w:rPr><w:b/></w:rPr>"
_HEADER_RUN = '<w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>'


def _text_xml(value) -> str:
    """A cell value as escaped run content: line breaks become w:br, tabs spaces."""
    text = "" if value is None else str(value)
    if _XML_SPECIAL.search(text) is None:  # most cells: one scan, nothing to change
        return text
    return escape(clean(text)).replace("\t", " ").replace("\r", "").replace("\n", _BREAK)


def _row_template(grid: list[int], p_style: str, runs: list[str], *, fill: str | None, keep: bool,
                  numeric: set[int], row_props: str = "<w:cantSplit/>") -> str:
    """A table row (w:tr) with a `{}` where each cell's text goes: widths, shading, paragraph style,
    keep-with-next, right alignment of `numeric` columns, run properties."""
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    keep_next = "<w:keepNext/>" if keep else ""
    cells = []
    for i, (width, r_pr) in enumerate(zip(grid, runs)):
        jc = '<w:jc w:val="right"/>' if i in numeric else ""
        start = (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}</w:tcPr>'
                 f'<w:p><w:pPr>{p_style}{keep_next}{jc}</w:pPr><w:r>{r_pr}<w:t xml:space="preserve">')
        cells.append(start.replace("{", "{{").replace("}", "}}") + "{}" + _CELL_END)
    return f"<w:tr><w:trPr>{row_props}</w:trPr>{''.join(cells)}</w:tr>"


def _row_xml(template: str, values: Sequence) -> str:
    """`template` (see `_row_template`) filled with `values`, escaped (one scan when none needs it)."""
    texts = ["" if value is None else str(value) for value in values]
    if _XML_SPECIAL.search("".join(texts)) is not None:
        texts = [_text_xml(text) for text in texts]
    return template.format(*texts)


def _rows_xml(rows: Iterable[Sequence], grid: list[int], p_style: str, *, fills, bold_first: bool,
              numeric: set[int], keep_rows: int, chunk_rows: int = 500) -> Iterator[str]:
    """Table rows (w:tr) for `rows` as WordprocessingML text, `chunk_rows` rows a string.

    Zebra stripes where `fills` gives no colour; the first `keep_rows` rows are kept with the next.
    """
    fills = iter(fills) if fills is not None else iter(())
    runs = [_BOLD if bold_first and i == 0 else "" for i in range(len(grid))]
    templates: dict[tuple[str | None, bool], str] = {}  # by (fill, keep)
    chunk = []
    for n, values in enumerate(rows):
        fill = next(fills, None) or (ZEBRA_FILL if n % 2 == 1 else None)
        key = (fill, n < keep_rows)
        template = templates.get(key) or templates.setdefault(key, _row_template(
            grid, p_style, runs, fill=fill, keep=key[1], numeric=numeric))
        chunk.append(_row_xml(template, values))
        if len(chunk) == chunk_rows:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def caption(doc, text: str):
    """'Table N. text' in the Caption style, numbered in order through the document and kept with the
    table that follows it, as is the paragraph before it (a heading, or the sentence introducing it)."""
    number = _TABLE_NUMBERS[doc.part] = _TABLE_NUMBERS.get(doc.part, 0) + 1
    before = doc.element.body[-2] if len(doc.element.body) > 1 else None
    if before is not None and before.tag == qn("w:p") and Paragraph(before, doc).text.strip():
        before.get_or_add_pPr().keepNext_val = True  # the sentence that introduces the table stays with it
    paragraph = para(doc, f"Table {number}. {text}", "Caption")
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_after = Pt(3)
    return paragraph


def note(doc, text: str):
    """A note under the table just written (what its asterisks mean), in the Caption style, kept on the
    page of the table's last row."""
    body = doc.element.body
    spacer, table_element = body[-2], body[-3]
    if table_element.tag == qn("w:tbl") and spacer.tag == qn("w:p") and not Paragraph(spacer, doc).text:
        body.remove(spacer)
        for row in table_element.findall(qn("w:tr"))[-1:]:
            for paragraph in row.iter(qn("w:p")):
                paragraph.get_or_add_pPr().keepNext_val = True
    paragraph = para(doc, text, "Caption")
    doc.add_paragraph()
    return paragraph


def _keeps(element) -> bool:
    return element.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None


def keep_on_with_what_follows(doc, start: int) -> None:
    """Keep the body's elements from index `start` on (paragraphs, and each row of a table) with what
    comes next, so that it is never left on a page of its own."""
    for element in list(doc.element.body)[start:]:
        if element.tag == qn("w:p"):
            element.get_or_add_pPr().keepNext_val = True
        elif element.tag == qn("w:tbl"):
            for paragraph in element.iter(qn("w:p")):
                paragraph.get_or_add_pPr().keepNext_val = True


def writing_lines(doc, count: int = 4, width_cm: float = 16.4) -> None:
    """`count` ruled lines to write on by hand once the document is printed, kept on one page: the rows
    of a table ruled below each row only (ruled empty paragraphs merge into one box with one line)."""
    line = '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
    width = int(Cm(width_cm) / 635)
    row = (f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{int(Cm(0.85) / 635)}" w:hRule="exact"/></w:trPr>'
           f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr>{{}}</w:pPr></w:p></w:tc></w:tr>')
    rows = "".join(row.format("<w:keepNext/>" if n < count - 1 else "") for n in range(count))
    doc.element.body.insert(len(doc.element.body) - 1, parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>{line}'
        f'{line.replace("bottom", "insideH")}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblDescription w:val="Lines to write on"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid>{rows}</w:tbl>'))
    doc.add_paragraph()


def annex_heading(doc, text: str):
    """An annex's heading (level 1, e.g. 'Annex A: Themes in full'), starting a new page."""
    no_spare_page(doc)
    paragraph = heading(doc, text, 1)
    paragraph.paragraph_format.page_break_before = True
    return paragraph


def _height_cm(rows: Sequence[Sequence], grid: list[int]) -> float:
    """About how tall `rows` are on the page, in a table with these column widths (twentieths of a point):
    each row as tall as its cell with the most lines, a cell's text wrapped at its column's width."""
    widths = [max(0.5, width / 567 - 0.25) for width in grid]  # 567 twentieths of a point to the cm, less padding

    def lines(value, width: float) -> int:
        return sum(max(1, math.ceil(len(line) / (width * _CHARS_PER_CM))) for line in str(value).split("\n"))

    return sum(_ROW_CM + _LINE_CM * max((lines("" if v is None else v, w) for v, w in zip(row, widths)), default=1)
               for row in rows)


def table(doc, header: Sequence[str] | None, rows: Iterable[Sequence], *, widths: Sequence[float] | None = None,
          fills: Iterable[str | None] | None = None, bold_first: bool = False, numeric: Sequence[int] = (),
          streamed: StreamedTables | None = None, title: str = ""):
    """A table with a shaded, repeating header row (none when `header` is None; then give `widths`);
    `fills` shades whole rows (None for none), other rows are zebra-striped. `title`: its caption
    above it ('Table N. title'). A short table is kept on one page with its caption and heading; a long
    or tall one keeps its header and first row with them.

    python-docx builds the table's properties and grid; the rows are written as WordprocessingML
    text (per-cell python-docx calls made a 50,000-row action plan take minutes). With `streamed`
    they are generated only as the document is saved, and never held.
    """
    if title:
        caption(doc, title)
    style = style_id(doc, "Table Text")
    p_style = f'<w:pStyle w:val="{escape(style)}"/>' if style else ""
    tbl = doc.add_table(rows=0, cols=len(header) if header else len(widths or ()))
    tbl._tbl.tblStyle_val = style_id(doc, "Table Grid", fallback=None)
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths:
        tbl.autofit = False
        for column, width in zip(tbl.columns, widths):
            column.width = Cm(width)
    grid = [int(col.w / 635) if col.w is not None else 1000 for col in tbl._tbl.tblGrid.gridCol_lst]
    rows = iter(rows)
    first = list(islice(rows, KEEP_TOGETHER_ROWS + 1))
    keep_together = len(first) <= KEEP_TOGETHER_ROWS and _height_cm(first, grid) <= KEEP_TOGETHER_CM
    numeric = set(numeric)
    head = []
    if header:
        template = _row_template(grid, p_style, [_HEADER_RUN] * len(grid), fill=HEADER_FILL, keep=True,
                                 numeric=numeric, row_props='<w:tblHeader w:val="true"/>')
        head.append(_row_xml(template, header))
    chunks = chain(head, _rows_xml(chain(first, rows), grid, p_style, fills=fills, bold_first=bold_first,
                                   numeric=numeric, keep_rows=len(first) - 1 if keep_together else 1))
    if streamed is not None:
        streamed.defer(tbl._tbl, chunks)
    elif head or first:
        tbl._tbl.extend(parse_xml(f'<w:tbl {nsdecls("w")}>{"".join(chunks)}</w:tbl>'))
    doc.add_paragraph()
    return tbl


def page_break(doc) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
