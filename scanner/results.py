"""The scan result: a contract other tools read (``*.scan.json``). Its JSON Schema is ``docs/scan-result.schema.json``.

Change the shape only with a new ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "COMMITMENT_NL",
    "SCHEMA_VERSION",
    "STATUSES",
    "STATUS_FILL",
    "STATUS_ICON",
    "STATUS_INK",
    "STATUS_NL",
    "TARGET_NL",
    "CheckedPassage",
    "Commitment",
    "DocumentRef",
    "EnvironmentSummary",
    "Evidence",
    "Finding",
    "FrameworkRef",
    "Gap",
    "GapAdvice",
    "ScanResult",
    "ScanSettings",
    "Searched",
    "Status",
    "Target",
    "nl_date",
    "nl_datetime",
    "nl_number",
    "nl_percent",
    "page_citation",
]

SCHEMA_VERSION = "1.1"  # 1.1: commitment and target group per finding and per quote
Status = Literal["covered", "partial", "not_found"]
STATUSES: tuple[str, ...] = ("covered", "partial", "not_found")  # strongest first
STATUS_NL: dict[str, str] = {"covered": "gedekt", "partial": "deels", "not_found": "niet gevonden"}
# How every human-readable output shows a status: one symbol, one palette (a pale fill for cells and figures, a dark
# ink for text on white, each at least 4.5:1 against white).
STATUS_ICON: dict[str, str] = {"covered": "●", "partial": "◐", "not_found": "○"}
STATUS_FILL: dict[str, str] = {"covered": "A5D6A7", "partial": "FFE9A8", "not_found": "E8E8E8"}
STATUS_INK: dict[str, str] = {"covered": "1B5E20", "partial": "8A6100", "not_found": "5F6368"}


def page_citation(
    page: int | None, page_label: str | None = None, document: str | None = None, *, ocr: bool = False
) -> str:
    """How every human-readable output cites a page: "p. 5" (the page in the file), with the number printed on the
    page itself where it differs: "p. 5, blz. 3 in het document"; the document first when given; ", gescande pagina
    gelezen met OCR" when the quote comes from a scan read by OCR (the reader checks it on the page)."""
    where = ""
    if page is not None:
        where = f"p. {page}" + (
            f", blz. {page_label} in het document" if page_label and page_label != str(page) else ""
        )
    return ", ".join(x for x in (document, where, "gescande pagina gelezen met OCR" if ocr else "") if x)


def nl_number(value: float, decimals: int = 1) -> str:
    """A number as Dutch readers write it: decimal comma, a point between thousands ("1.234,5")."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_percent(value: float) -> str:
    """A share as a whole percentage: 0.78 -> "78%"."""
    return f"{round(value * 100):d}%"


_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
    "december",
)  # fmt: skip


def nl_datetime(iso: str) -> str:
    """ "2026-11-30T06:14:38+00:00" -> "30 november 2026, 06:14" (as stored: UTC)."""
    time = iso[11:16] if len(iso) >= 16 and iso[10:11] == "T" else ""
    return nl_date(iso) + (f", {time}" if time else "")


def nl_date(iso: str) -> str:
    """ "2026-11-30T06:14:38+00:00" -> "30 november 2026" (the date part of an ISO time stamp)."""
    try:
        year, month, day = (int(x) for x in iso[:10].split("-"))
        return f"{day} {_MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return iso


Commitment = Literal["maatregel", "voornemen", "vaag", "budget"]
Target = Literal["jeugd_gezin", "alle_inwoners", "andere_groep"]
COMMITMENT_NL: dict[str, str] = {
    "maatregel": "maatregel of afspraak",
    "voornemen": "concreet voornemen",
    "vaag": "vaag voornemen of vermelding",
    "budget": "budget",
}
TARGET_NL: dict[str, str] = {
    "jeugd_gezin": "kinderen, jongeren en gezinnen",
    "alle_inwoners": "alle inwoners",
    "andere_groep": "een andere doelgroep",
}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DocumentRef(_Model):
    path: str
    sha256: str
    pages: int
    file_name: str
    title: str | None = None


class FrameworkRef(_Model):
    id: str
    version: str


class ScanSettings(_Model):
    embedder: str = Field(description="Embedding model id.")
    judge: Literal["llm", "fast"]
    llm: str | None = Field(default=None, description="LLM id (provider/model), for the llm judge.")
    prompt_hashes: dict[str, str] = Field(default_factory=dict, description="SHA-256 of each prompt template used.")
    classifier: str | None = Field(default=None, description="Id and version of the calibrated classifier.")


class Evidence(_Model):
    page: int = Field(ge=1, description="Physical page number in the document.")
    page_label: str | None = Field(default=None, description="Printed page label, if it differs.")
    quote: str = Field(description="Verbatim span, verified against the extracted text of the page.")
    chunk_id: str = Field(description="Citation key of the passage: document hash, page, offsets.")
    score: float = Field(description="How likely the sentence shows the element, under the judge (0-1).")
    document: str | None = Field(default=None, description="File name, for a set of documents.")
    commitment: Commitment | None = Field(default=None, description="How firm the quoted sentence is.")
    target: Target | None = Field(default=None, description="For whom the quoted sentence speaks.")
    ocr: bool = Field(default=False, description="The page's text was read by OCR from a scan: check it on the page.")


class CheckedPassage(_Model):
    chunk_id: str
    page: int
    document: str | None = None
    score: float
    excerpt: str = Field(description="The start of the passage, for a reader to check the absence.")


class Searched(_Model):
    queries: list[str]
    passages: list[CheckedPassage] = Field(description="The closest passages that were checked.")


class Finding(_Model):
    element_id: str
    environment: str
    dimension: str
    label: str
    status: Status
    confidence: float = Field(ge=0, le=1, description="Probability of the chosen status under the judge.")
    probabilities: dict[str, float] = Field(default_factory=dict, description="Per status, from the judge.")
    evidence: list[Evidence] = Field(default_factory=list)
    commitment: Commitment | None = Field(
        default=None, description="How firm the commitment is, from the strongest quote (none when not found)."
    )
    target: Target | None = Field(
        default=None, description="For whom the strongest quote speaks (none when not found)."
    )
    rationale: str = Field(description="Why this status, in Dutch.")
    searched: Searched
    override: dict[str, str] | None = Field(
        default=None, description="A reviewer's change: {'status', 'note', 'by', 'at'} (set by the UI)."
    )

    @property
    def effective_status(self) -> Status:
        """The reviewer's status where there is one, else the judge's."""
        if self.override and self.override.get("status") in STATUS_NL:
            return self.override["status"]  # type: ignore[return-value]
        return self.status


class GapAdvice(_Model):
    option_id: str = Field(description="The handelingsoptie element id.")
    option_label: str
    advice: str = Field(description="Advice composed from the framework (Dutch).")
    roles: list[str] = Field(description="Labels of the bruggenbouwer roles that carry the option.")
    role_ids: list[str]
    builds_on: list[Evidence] = Field(default_factory=list, description="What the document already has to build on.")
    source: str = Field(description="Framework source reference.")


class Gap(_Model):
    element_id: str
    environment: str
    dimension: str
    label: str
    status: Status
    context: list[str] = Field(default_factory=list, description="Related value/factor elements and their status.")
    advice: list[GapAdvice]


class EnvironmentSummary(_Model):
    environment: str
    label: str
    counts: dict[str, int]
    verdict: str = Field(description="One-line verdict in Dutch.")


class ScanResult(_Model):
    schema_version: str = SCHEMA_VERSION
    document: DocumentRef | list[DocumentRef]
    set_name: str | None = Field(default=None, description="Name of the document set (municipality), if any.")
    framework: FrameworkRef
    settings: ScanSettings
    findings: list[Finding]
    summary: list[EnvironmentSummary]
    gaps: list[Gap]
    timings: dict[str, float] = Field(description="Seconds per stage.")
    created_at: str
    tool_version: str

    @property
    def documents(self) -> list[DocumentRef]:
        return self.document if isinstance(self.document, list) else [self.document]

    def finding(self, element_id: str) -> Finding:
        return next(f for f in self.findings if f.element_id == element_id)
