"""Whose document it is and which version: the organisation's name and logo, and the version label
with the date, at the top of every document audit-tui writes (the report's cover, the first page of
a feedback or calibration document) and in its properties.

The organisation is the one given (`--organisation`), else the settings' `organisation`, else the
Company in the reference document's properties. The logo is the settings' `logo`: a PNG or JPEG
file read as any user's file is (a regular file, at most 2 MB read). A document without either is
still written; `warnings` says, in one sentence each, what is missing, for the command line and
the app to show before they build.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from audit_tui.files.failures import os_reason
from audit_tui.files.settings import load_settings
from audit_tui.files.userfiles import FileRefused, read_capped
from audit_tui.report import circulation
from audit_tui.report import docxkit as kit

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_HEIGHT_CM = 2.0
LOGO_MAX_WIDTH_CM = 6.0
DEFAULT_VERSION = "Version 1.0 — draft"
MAX_APP_XML = 256 * 1024
_PICTURE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_COMPANY = re.compile(r"<(?:\w+:)?Company>([^<]*)</(?:\w+:)?Company>")
NO_ORGANISATION = ("No organisation name is set, so the document does not say whose it is: set it in "
                   "Settings (F2) as Organisation, or give --organisation NAME.")


def reference_organisation(reference: str | Path | None = None) -> str:
    """The Company named in the reference document's properties (docProps/app.xml), else ''."""
    try:
        data = kit.reference_bytes(reference)
        if data is None:
            return ""
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("docProps/app.xml")
            if info.file_size > MAX_APP_XML:
                return ""
            text = archive.read(info).decode("utf-8", "replace")
    except (OSError, FileRefused, KeyError, ValueError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        return ""  # the document itself is refused, with its reason, when it is opened
    found = _COMPANY.search(text)
    return kit.clean(html.unescape(found.group(1))).strip() if found else ""


def organisation_name(given: str | None = None, reference: str | Path | None = None) -> str:
    """The organisation a document names: `given`, else the settings', else the reference document's."""
    return (kit.clean(given or "").strip() or load_settings().organisation
            or reference_organisation(reference))


def version_label(given: str | None = None) -> str:
    """The version label: `given`, else the settings' `version_label`, else 'Version 1.0 — draft'."""
    return kit.clean(given or "").strip() or load_settings().version_label or DEFAULT_VERSION


def version_line(label: str, made: date | None = None) -> str:
    """'Version 1.0 — draft, 7 December 2026': the label and the day the document was made."""
    return f"{label}, {kit.long_date(made or date.today())}"


def read_logo(path: str | Path | None = None) -> tuple[bytes | None, str]:
    """The logo named in the settings (or `path`) as (bytes, ''), or (None, why it is left out: one
    sentence, '' when no logo is set)."""
    path = load_settings().logo if path is None else str(path)
    if not path:
        return None, ""
    data, why = _load_logo(path)
    return (data, "") if data is not None else (None, f"The logo {path} is left out of the document: {why}.")


def logo_problem(path: str) -> str:
    """Why the logo file at `path` cannot be used, in a few words (e.g. 'it is not a PNG or JPEG
    picture'); '' when it can, or when no path is given."""
    return _load_logo(path)[1] if path.strip() else ""


def _load_logo(path: str) -> tuple[bytes | None, str]:
    """(the picture's bytes, '') or (None, why it cannot be used)."""
    why = ""
    try:
        data = read_capped(Path(path).expanduser(), MAX_LOGO_BYTES)
    except FileRefused as exc:
        why = exc.reason
    except OSError as exc:
        why = os_reason(exc)
    else:
        if not data.startswith(_PICTURE_SIGNATURES):
            why = "it is not a PNG or JPEG picture"
        elif _size_cm(data) is None:
            why = "the picture in it cannot be read"
        else:
            return data, ""
    return None, why


def _size_cm(data: bytes) -> tuple[float, float] | None:
    """The logo's width and height on the page: 2 cm high, at most 6 cm wide; None if unreadable."""
    from docx.image.image import Image

    try:
        image = Image.from_blob(data)
        ratio = image.px_width / image.px_height
    except Exception:  # noqa: BLE001 - any picture python-docx cannot measure is left out, with a warning
        return None
    height = min(LOGO_HEIGHT_CM, LOGO_MAX_WIDTH_CM / ratio)
    return height * ratio, height


def warnings(organisation: str | None = None, reference: str | Path | None = None) -> list[str]:
    """What a document about to be written will lack, one sentence each: the organisation, the logo."""
    found = [] if organisation_name(organisation, reference) else [NO_ORGANISATION]
    why = read_logo()[1]
    return found + ([why] if why else [])


def logo(doc, organisation: str, *, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    """The settings' logo in a paragraph of its own, 2 cm high, with alt text naming the organisation;
    nothing if no logo is set or it cannot be used (`warnings` says why)."""
    data, _ = read_logo()
    size = _size_cm(data) if data else None
    if size is None:
        return
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    shape = paragraph.add_run().add_picture(io.BytesIO(data), width=Cm(size[0]), height=Cm(size[1]))
    alt = f"{organisation} logo" if organisation else "Organisation logo"
    shape._inline.docPr.set("descr", kit.clean(alt))
    shape._inline.docPr.set("title", kit.clean(alt))


HEADER_LOGO_CM = 1.0
HEADER_LOGO_MAX_WIDTH_CM = 4.5


def header_logo(doc, organisation: str) -> None:
    """The settings' logo, small (at most 1 cm high, 4.5 cm wide), at the top left of every page but the
    first (which shows it large): floating in the top margin, so the page's text does not move. A
    document whose first page shares the others' header and footer is given its own, the same but for
    the logo. Nothing if no logo is set or it cannot be used."""
    data, _ = read_logo()
    size = _size_cm(data) if data else None
    if size is None:
        return
    ratio = size[0] / size[1]
    alt = kit.clean(f"{organisation} logo" if organisation else "Organisation logo")
    for number, section in enumerate(doc.sections):
        if not section.different_first_page_header_footer:
            circulation.first_page_like_the_others(section)
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        height = min(Cm(HEADER_LOGO_CM), int(0.75 * section.top_margin), int(Cm(HEADER_LOGO_MAX_WIDTH_CM) / ratio))
        shape = paragraph.add_run().add_picture(io.BytesIO(data), width=int(height * ratio), height=height)
        circulation.float_in_top_margin(shape._inline, top=(section.top_margin - height) // 2, alt=alt, number=number)


def version_paragraph(doc, label: str, size: float = 12) -> None:
    """The version line, e.g. 'Version 1.0 — draft, 7 December 2026', in bold."""
    paragraph = kit.para(doc, version_line(label), bold=True)
    paragraph.runs[0].font.size = Pt(size)
