"""Build the reference .docx whose styles the reports use.

Run `python -m audit_tui.report.make_reference [PATH]` to (re)write
`templates/reference.docx`. An organisation can replace it with its own branded
document (logo in the header, its fonts and colours) as long as it keeps these
style names: Normal, Title, Subtitle, Heading 1-3, TOC Heading, TOC 1-3, Caption,
Quote, List Bullet, Table Text and the table style Table Grid. Put the branded
file in your own template folder (Settings → template folder) as `reference.docx`,
or replace the built-in one. Anything in its body is ignored; its headers and
footers are kept (page numbers are added to the footer unless it has a PAGE field).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONT = "Arial"
NAVY = RGBColor(0x1F, 0x38, 0x64)
BLUE = RGBColor(0x2E, 0x55, 0x97)
TEXT = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x59, 0x59, 0x59)


def _font(style, *, size: float, bold: bool | None = None, italic: bool | None = None, color=TEXT) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = color
    r_pr = style.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def _paragraph_style(doc, name: str, base: str = "Normal"):
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles[base]
        style.quick_style = True
        return style


def build_reference(target) -> None:
    """Write the reference document to a path or binary file object."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.footer_distance = Cm(1.0)

    normal = doc.styles["Normal"]
    _font(normal, size=10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    title = doc.styles["Title"]
    _font(title, size=30, bold=True, color=NAVY)
    title.paragraph_format.space_before = Pt(120)
    title.paragraph_format.space_after = Pt(12)
    title_ppr = title.element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):  # the default Title has a bottom rule
        title_ppr.remove(border)
    subtitle = doc.styles["Subtitle"]
    _font(subtitle, size=16, color=BLUE)
    subtitle.paragraph_format.space_after = Pt(24)

    for level, size, color, before in ((1, 16, NAVY, 18), (2, 13, BLUE, 14), (3, 11, TEXT, 10)):
        style = doc.styles[f"Heading {level}"]
        _font(style, size=size, bold=True, color=color)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True

    toc_heading = doc.styles["TOC Heading"]
    _font(toc_heading, size=16, bold=True, color=NAVY)
    toc_heading.paragraph_format.space_after = Pt(12)
    for level in (1, 2, 3):
        style = _paragraph_style(doc, f"TOC {level}")
        _font(style, size=10.5, bold=level == 1 or None)
        style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        style.paragraph_format.space_after = Pt(3 if level > 1 else 4)

    caption = doc.styles["Caption"]
    _font(caption, size=9, italic=True, color=GREY)
    caption.paragraph_format.space_after = Pt(12)

    quote = doc.styles["Quote"]
    _font(quote, size=10, italic=True, color=GREY)
    quote.paragraph_format.left_indent = Cm(0.8)
    quote.paragraph_format.right_indent = Cm(0.8)
    quote.paragraph_format.space_after = Pt(4)

    _font(doc.styles["List Bullet"], size=10.5)
    table_text = _paragraph_style(doc, "Table Text")
    _font(table_text, size=9)
    table_text.paragraph_format.space_before = Pt(1)
    table_text.paragraph_format.space_after = Pt(1)
    table_text.paragraph_format.line_spacing = 1.0

    for name in ("Header", "Footer"):
        _font(doc.styles[name], size=8.5, color=GREY)
    doc.core_properties.title = "audit-tui report reference styles"
    doc.core_properties.author = "audit-tui"
    doc.save(target)


def main(argv: list[str] | None = None) -> int:
    from audit_tui.domain.templates import BUILTIN_DIR

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else BUILTIN_DIR / "reference.docx"
    build_reference(path)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
