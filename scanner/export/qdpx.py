"""REFI-QDA project export (``.qdpx``): every quote coded by its element, for ATLAS.ti, MAXQDA, NVivo or QualCoder.

A ``.qdpx`` is a zip with ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``, checked in the tests against
``docs/schemas/Project-mrt2019.xsd``) and ``Sources/``. Each document becomes a text source holding its page texts
(with a page marker line before each page); each quote is a ``PlainTextSelection`` whose character offsets point at
the quote in that text, coded with the element's code. The codebook is the framework: environment > dimension >
element. Identifiers are derived from the content, so the same scan exports the same project.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from scanner.export._common import ExportError, document_of, scan_title, xml_safe
from scanner.frameworks import Framework
from scanner.results import STATUS_NL, Evidence, ScanResult, page_citation
from scanner.types import DocumentRecord

__all__ = ["NS", "SourceText", "export_qdpx", "locate_quote", "source_text"]

NS = "urn:QDA-XML:project:1.0"
_GUID_NS = uuid.UUID("8f7d3c52-4a0e-5b7e-9c51-2f64f3b0a9d1")
_ENV_COLOURS = ("#2E7D32", "#1565C0", "#AD1457", "#EF6C00", "#6A1B9A", "#00838F")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(parts)))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass(frozen=True)
class SourceText:
    """The plain text of a document as exported, and where each page starts in it."""

    text: str
    page_starts: dict[int, int]


def source_text(record: DocumentRecord) -> SourceText:
    parts: list[str] = []
    starts: dict[int, int] = {}
    pos = 0
    for page in record.pages:
        label = f", gedrukt {page.label}" if page.label and page.label != str(page.number) else ""
        marker = f"[pagina {page.number}{label}]\n"
        parts.append(marker)
        pos += len(marker)
        starts[page.number] = pos
        body = page.text + "\n\n"
        parts.append(body)
        pos += len(body)
    return SourceText("".join(parts), starts)


def locate_quote(record: DocumentRecord, e: Evidence) -> tuple[int, int] | None:
    """Offsets of the quote in its page's text: inside its passage first (the chunk id holds its span)."""
    try:
        text = record.page(e.page).text
    except IndexError:
        return None
    lo, hi = 0, len(text)
    try:
        span = e.chunk_id.rsplit(":", 1)[1]
        a, b = (int(x) for x in span.split("-"))
        lo, hi = a, b
    except (IndexError, ValueError):
        pass
    at = text.find(e.quote, lo, hi)
    if at == -1:
        at = text.find(e.quote)
    return None if at == -1 else (at, at + len(e.quote))


def export_qdpx(result: ScanResult, fw: Framework, records: Mapping[str, DocumentRecord]) -> bytes:
    """The project as .qdpx bytes. ``records`` holds each scanned document by SHA-256 (from the document registry)."""
    missing = [d for d in result.documents if d.sha256 not in records]
    if missing:
        names = ", ".join(f"{d.file_name} ({d.sha256[:12]})" for d in missing)
        raise ExportError(
            f"De tekst van {names} staat niet in de gegevensmap. Een .qdpx-export bevat de documenttekst; "
            "lees het document eerst in (beleidsscan ingest BESTAND) of geef met --home de gegevensmap waarin "
            "gescand is."
        )
    ET.register_namespace("", NS)
    when = result.created_at
    user = _guid("user", "beleidsscan")
    project = ET.Element(
        _q("Project"),
        {
            "name": xml_safe(f"Quick scan: {scan_title(result)}"),
            "origin": f"beleidsscan {result.tool_version}",
            "creatingUserGUID": user,
            "creationDateTime": when,
        },
    )
    users = ET.SubElement(project, _q("Users"))
    ET.SubElement(users, _q("User"), {"guid": user, "name": "beleidsscan", "id": "beleidsscan"})

    # codebook: environment > dimension > element; only elements are codable
    codebook = ET.SubElement(project, _q("CodeBook"))
    codes = ET.SubElement(codebook, _q("Codes"))
    code_guid: dict[str, str] = {}
    labels = [e.label for e in fw.elements]
    for i, env in enumerate(fw.environments):
        colour = _ENV_COLOURS[i % len(_ENV_COLOURS)]
        env_code = ET.SubElement(
            codes, _q("Code"), {"guid": _guid(fw.id, env.id), "name": env.label, "isCodable": "false", "color": colour}
        )
        ET.SubElement(env_code, _q("Description")).text = env.description
        for dim in fw.dimensions:
            elements = fw.elements_of(env.id, dim.id)
            if not elements:
                continue
            dim_code = ET.SubElement(
                env_code,
                _q("Code"),
                {"guid": _guid(fw.id, env.id, dim.id), "name": f"{dim.label} ({env.label})", "isCodable": "false",
                 "color": colour},
            )  # fmt: skip
            ET.SubElement(dim_code, _q("Description")).text = dim.description
            for el in elements:
                code_guid[el.id] = _guid(fw.id, el.id)
                name = el.label if labels.count(el.label) == 1 else f"{el.label} [{el.id}]"
                code = ET.SubElement(
                    dim_code, _q("Code"), {"guid": code_guid[el.id], "name": name, "isCodable": "true", "color": colour}
                )
                ET.SubElement(code, _q("Description")).text = f"{el.id}: {el.description}"

    # sources with their coded selections
    sources = ET.SubElement(project, _q("Sources"))
    texts: dict[str, tuple[str, SourceText]] = {}
    source_el: dict[str, ET.Element] = {}
    for d in result.documents:
        guid = _guid("source", d.sha256)
        st = source_text(records[d.sha256])
        texts[d.sha256] = (guid, st)
        src = ET.SubElement(
            sources,
            _q("TextSource"),
            {"guid": guid, "name": d.file_name, "plainTextPath": f"internal://{guid}.txt", "creatingUser": user,
             "creationDateTime": when},
        )  # fmt: skip
        ET.SubElement(src, _q("Description")).text = xml_safe(
            f"{d.title or d.file_name}; {d.pages} pagina's; SHA-256 {d.sha256}"
        )
        source_el[d.sha256] = src
    skipped: list[str] = []
    selections = 0
    for f in result.findings:
        if f.element_id not in code_guid:
            skipped.append(f"{f.element_id} (niet in dit framework)")
            continue
        for n, e in enumerate(f.evidence):
            d = document_of(result, e)
            record = records[d.sha256]
            span = locate_quote(record, e)
            if span is None:
                skipped.append(f"{f.element_id}, p. {e.page}")
                continue
            guid, st = texts[d.sha256]
            start, end = st.page_starts[e.page] + span[0], st.page_starts[e.page] + span[1]
            status = STATUS_NL[f.effective_status]
            if f.override and f.effective_status != f.status:
                status += f" (na review; scan: {STATUS_NL[f.status]})"
            sel = ET.SubElement(
                source_el[d.sha256],
                _q("PlainTextSelection"),
                {"guid": _guid("selection", f.element_id, e.chunk_id, str(n)), "name": f"{f.label} (p. {e.page})",
                 "startPosition": str(start), "endPosition": str(end), "creatingUser": user,
                 "creationDateTime": when},
            )  # fmt: skip
            page = page_citation(e.page, e.page_label, ocr=e.ocr)
            ET.SubElement(sel, _q("Description")).text = xml_safe(
                f"{f.element_id}: {status}; {page}; zekerheid {f.confidence:.2f}; passage {e.chunk_id}"
            )
            coding = ET.SubElement(
                sel,
                _q("Coding"),
                {"guid": _guid("coding", f.element_id, e.chunk_id, str(n)), "creatingUser": user,
                 "creationDateTime": when},
            )  # fmt: skip
            ET.SubElement(coding, _q("CodeRef"), {"targetGUID": code_guid[f.element_id]})
            selections += 1

    # one set of codes per status, so a researcher can filter the codebook by what the scan found
    sets = ET.SubElement(project, _q("Sets"))
    for status, label in STATUS_NL.items():
        members = [f for f in result.findings if f.effective_status == status and f.element_id in code_guid]
        s = ET.SubElement(sets, _q("Set"), {"guid": _guid("set", status), "name": f"Status: {label}"})
        ET.SubElement(s, _q("Description")).text = f"Elementen met status ‘{label}’ in deze scan."
        for f in members:
            ET.SubElement(s, _q("MemberCode"), {"targetGUID": code_guid[f.element_id]})
    desc = (
        f"Quick scan van {', '.join(d.file_name for d in result.documents)} tegen {fw.title} (versie "
        f"{result.framework.version}), gemaakt op {when} met beleidsscan {result.tool_version}. "
        f"{selections} citaten gecodeerd per element."
    )
    if skipped:
        desc += " Niet opgenomen (citaat niet teruggevonden in de paginatekst): " + "; ".join(skipped) + "."
    ET.SubElement(project, _q("Description")).text = xml_safe(desc)

    ET.indent(project, space=" ")
    qde = ET.tostring(project, encoding="utf-8", xml_declaration=True)
    # Entries dated by the scan, not the clock: the same scan gives the same bytes.
    try:
        stamp = datetime.fromisoformat(when).timetuple()[:6]
    except ValueError:
        stamp = (1980, 1, 1, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        entries = [("project.qde", qde)] + [(f"Sources/{g}.txt", st.text.encode("utf-8")) for g, st in texts.values()]
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=stamp), data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()
