"""What every document audit-tui writes carries to be circulated: page numbers in the footer, the
protective marking at the top and bottom of every page, its properties (title, author, language, no
stray preview picture), and the means to float a small picture in the top margin (the logo).
"""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

from audit_tui.files.settings import load_settings
from audit_tui.report import docxkit as kit


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


def page_number_footer(doc, *, title_page: bool = True) -> None:
    """'Page N of M' in the footer of every section (not on the first page when it is a `title_page`),
    unless already there."""
    for section in doc.sections:
        section.different_first_page_header_footer = title_page
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


def first_page_like_the_others(section) -> None:
    """Give the section's first page a header and footer of its own, copies of the others' (so that
    something can be added to the others' alone)."""
    section.different_first_page_header_footer = True
    for first, rest in ((section.first_page_header, section.header), (section.first_page_footer, section.footer)):
        first.is_linked_to_previous = False
        element = first._element
        for child in list(element):
            element.remove(child)
        for child in rest._element:
            element.append(deepcopy(child))
        for node in element.iter():  # pictures (an organisation's header may hold one) related from the copy
            for name, value in node.attrib.items():
                if name.startswith(_R) and value in rest.part.rels:
                    rel = rest.part.rels[value]
                    target = rel.target_ref if rel.is_external else rel.target_part
                    node.set(name, first.part.relate_to(target, rel.reltype, is_external=rel.is_external))


_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ANCHOR = ('<wp:anchor {} distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" '
           'locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
           '<wp:positionH relativeFrom="margin"><wp:align>left</wp:align></wp:positionH>'
           '<wp:positionV relativeFrom="page"><wp:posOffset>{}</wp:posOffset></wp:positionV></wp:anchor>')


def float_in_top_margin(inline, *, top: int, alt: str, number: int = 0) -> None:
    """Turn an inline picture (python-docx's) into one floating at the left of the page's top margin,
    `top` EMU from the page's edge, over no text; `alt` its text for screen readers."""
    anchor = parse_xml(_ANCHOR.format(nsdecls("wp"), int(top)))
    for child in inline:
        if child.tag != qn("wp:extent"):
            continue
        anchor.append(deepcopy(child))
        anchor.append(parse_xml(f'<wp:effectExtent {nsdecls("wp")} l="0" t="0" r="0" b="0"/>'))
        anchor.append(parse_xml(f'<wp:wrapNone {nsdecls("wp")}/>'))
    for child in inline:
        if child.tag != qn("wp:extent"):
            anchor.append(deepcopy(child))
    doc_pr = anchor.find(qn("wp:docPr"))
    doc_pr.set("id", str(90001 + number))  # apart from the body's pictures, numbered from 1
    doc_pr.set("descr", alt)
    doc_pr.set("title", alt)
    inline.getparent().replace(inline, anchor)


def describe(doc, *, title: str, organisation: str, subject: str = "", version: str = "") -> None:
    """Document properties a reader and a records system see: title, the organisation as author and
    company, the version label (and 'Draft' as its status when it says so), created and modified now,
    language en-GB (also the default language of the text)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    props = doc.core_properties
    props.version = kit.clean(version)
    props.content_status = "Draft" if "draft" in version.lower() else ""
    props.title = kit.clean(title)
    props.author = kit.clean(organisation) or "audit-tui"
    props.last_modified_by = kit.clean(organisation) or "audit-tui"
    props.subject = kit.clean(subject)
    props.comments = "Made with audit-tui"
    props.keywords = ""
    props.category = ""
    props.created = now
    props.modified = now
    props.last_printed = now
    props.revision = 1
    props.language = "en-GB"
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        doc.styles.element.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    rpr = run_defaults.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        run_defaults.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    lang.set(qn("w:bidi"), "ar-SA")
    _application_properties(doc, organisation)
    _drop_thumbnail(doc)


_APP_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
            'openxmlformats.org/officeDocument/2006/extended-properties"><Application>audit-tui</Application>'
            '<Company>{}</Company></Properties>')


def _application_properties(doc, organisation: str) -> None:
    """docProps/app.xml: audit-tui as the application and the organisation as the company (python-docx's
    own says Microsoft Macintosh Word, one page, 2010)."""
    for part in doc.part.package.parts:
        if str(part.partname) == "/docProps/app.xml":
            part._blob = _APP_XML.format(escape(kit.clean(organisation))).encode("utf-8")


def _drop_thumbnail(doc) -> None:
    """No docProps/thumbnail.jpeg: python-docx's template carries a picture of a blank page as the
    document's preview. Without its relationship the part is not saved, nor its content type."""
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]


def for_circulation(doc, *, title: str, organisation: str, subject: str = "", version: str = "") -> None:
    """The last touches of every document audit-tui writes: its properties (`describe`) and the
    protective marking from the settings on every page (`protective_marking`)."""
    describe(doc, title=title, organisation=organisation, subject=subject, version=version)
    protective_marking(doc, load_settings().protective_marking)
    kit.no_spare_page(doc)


def protective_marking(doc, marking: str) -> None:
    """The protective marking (e.g. OFFICIAL-SENSITIVE), centred in bold at the top and the bottom of
    every page, the title page too."""
    marking = kit.clean(marking).strip()
    if not marking:
        return
    for section in doc.sections:
        parts = [(section.header, True), (section.footer, False)]
        if section.different_first_page_header_footer:
            parts += [(section.first_page_header, True), (section.first_page_footer, False)]
        for part, top in parts:
            part.is_linked_to_previous = False
            if part.paragraphs and not part.paragraphs[0].text.strip():
                paragraph = part.paragraphs[0] if top or len(part.paragraphs) == 1 else part.add_paragraph()
            elif top and part.paragraphs:
                paragraph = part.paragraphs[0].insert_paragraph_before()
            else:
                paragraph = part.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(marking)
            run.bold = True
