"""The report's contents list: one entry per heading of the body and per annex, each a link to its
heading and its page number.

audit-tui cannot know the page numbers itself: where a page breaks depends on the fonts installed
and on how each program lays out tables and charts. So each number is a PAGEREF field on the
heading's bookmark, which the reading program fills in as it lays out the pages: LibreOffice (and a
PDF made from it) at once, Word when it updates the fields (it offers to on opening, as the document
asks; or F9). The entries are plain paragraphs, not a TOC field, because LibreOffice shows a TOC
field's entries as text and drops the page-number fields inside them.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

from audit_tui.report import docxkit as kit

_EMU_PER_TWIP = 635


def _run(*children) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    for child in children:
        run.append(child)
    return run


def _element(tag: str, text: str | None = None, **attributes: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    if text is not None:
        element.set(qn("xml:space"), "preserve")
        element.text = text
    return element


def _page_field(anchor: str) -> list:
    """The runs of a PAGEREF field on bookmark `anchor`, with no result: the reader fills it in."""
    return [_run(_element("w:fldChar", fldCharType="begin", dirty="true")),
            _run(_element("w:instrText", f" PAGEREF {anchor} \\h ")),
            _run(_element("w:fldChar", fldCharType="separate")),
            _run(_element("w:fldChar", fldCharType="end"))]


def _entry(doc, level: int, text: str, anchor: str, tab_at: int) -> Paragraph:
    """'text ........ N' in the style TOC `level`: a link to `anchor`, then its page number at the right."""
    paragraph = kit.para(doc, style=f"TOC {level}")
    tabs = OxmlElement("w:tabs")
    tabs.append(_element("w:tab", val="right", leader="dot", pos=str(tab_at)))
    paragraph._p.get_or_add_pPr().append(tabs)
    link = _element("w:hyperlink", anchor=anchor, history="1")
    link.append(_run(_element("w:t", kit.clean(text))))
    link.append(_run(OxmlElement("w:tab")))
    for run in _page_field(anchor):
        link.append(run)
    paragraph._p.append(link)
    return paragraph


def headings(doc) -> list[tuple[int, str, str]]:
    """(level, text, bookmark) of the body's Heading 1 and 2 paragraphs and the annexes' titles (not the
    annexes' many subheadings: the contents stays on one page)."""
    levels = {sid: level for level in (1, 2) if (sid := kit.style_id(doc, f"Heading {level}", fallback=None))}
    found, in_annex = [], False
    for element in doc.element.body.iterchildren(qn("w:p")):
        if element.style in levels:
            paragraph = Paragraph(element, doc)
            level = levels[element.style]
            in_annex = in_annex or (level == 1 and paragraph.text.startswith("Annex "))
            anchor = kit.bookmark_of(paragraph)
            if anchor and (level == 1 or not in_annex):
                found.append((level, paragraph.text, anchor))
    return found


def fill_contents(doc, anchor: Paragraph, title: str = "Contents") -> None:
    """Put the contents list (its heading, then an entry per `headings`) where the empty paragraph
    `anchor` is, and ask Word to update the fields (the page numbers) when the document is opened."""
    section = doc.sections[0]
    tab_at = (section.page_width - section.left_margin - section.right_margin) // _EMU_PER_TWIP
    body = doc.element.body
    existing = set(body)
    kit.para(doc, title, "TOC Heading")
    for level, text, bookmark in headings(doc):
        _entry(doc, level, text, bookmark, tab_at)
    added = [element for element in body if element not in existing]
    position = list(body).index(anchor._p)
    for offset, element in enumerate(added):
        body.remove(element)
        body.insert(position + offset, element)
    body.remove(anchor._p)
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")
