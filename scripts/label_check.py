"""Check a document's labels before they are used: element labels and passage labels, against the text.

    .venv/bin/python scripts/label_check.py LABELLING_DIR FILE_NAME [--labels PATH] [--passages PATH]

LABELLING_DIR is the folder that ``scripts/label_prepare.py`` wrote (``docs/``, ``candidates/``). Checks:

- 36 element labels, each element once, a status of LABELING.md; page and quote for covered and partial only;
- every quote occurs verbatim (whitespace, hyphenation and typographic quotes aside) on its page, or anywhere in a
  text file; quotes of 10 to 60 words (a warning otherwise);
- passage lines: known element, grade, commitment and target; a candidate key that was shown for that element; the
  quote inside the candidate; every candidate of every element graded once;
- the element's status follows from its passages: covered with a measure-grade passage, partial with vague or
  other-group passages only, not found with none.

Prints each problem with its line and exits 1 when there are errors.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GRADES = {"measure", "vague", "other_group", "negative"}
COMMITMENTS = {"maatregel", "voornemen", "vaag", "budget"}
TARGETS = {"jeugd_gezin", "alle_inwoners", "andere_groep"}
STATUS_OF_GRADE = {"measure": "covered", "vague": "partial", "other_group": "partial"}
_MARK = re.compile(r"^=== pagina (\d+) ===$", re.MULTILINE)


def read_pages(text: str) -> dict[int, str]:
    parts = _MARK.split(text)
    return {int(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path)
    parser.add_argument("file_name")
    parser.add_argument("--labels", type=Path, default=None)
    parser.add_argument("--passages", type=Path, default=None)
    parser.add_argument("--no-passages", action="store_true", help="check the element labels only")
    args = parser.parse_args()

    from scanner.frameworks import load_framework
    from scanner.ingest.normalize import normalize_for_match

    doc = args.file_name
    is_pdf = doc.lower().endswith(".pdf")
    fw = load_framework("informele-ondersteuners-jeugd")
    ids = [e.id for e in fw.elements]
    pages = read_pages((args.dir / "docs" / f"{doc}.txt").read_text(encoding="utf-8"))
    norm_pages = {n: normalize_for_match(t) for n, t in pages.items()}
    whole = " ".join(norm_pages.values())
    cand = json.loads((args.dir / "candidates" / f"{doc}.chunks.json").read_text(encoding="utf-8"))["chunks"]
    shown: dict[str, set[str]] = {}
    current = None
    for line in (args.dir / "candidates" / f"{doc}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].split(":")[0]
            shown[current] = set()
        elif line.startswith("- [") and current:
            shown[current].add(line[3 : line.index("]")])

    labels_path = args.labels or next(
        (p for p in (ROOT / "corpus" / "labels" / f"{Path(doc).stem}.labels.jsonl",
                     ROOT / "corpus" / "samples" / f"{Path(doc).stem}.labels.jsonl") if p.is_file()),
        ROOT / "corpus" / "labels" / f"{Path(doc).stem}.labels.jsonl",
    )  # fmt: skip
    passages_path = args.passages or args.dir / "out" / f"{doc}.passages.jsonl"
    errors: list[str] = []
    warnings: list[str] = []

    def quote_ok(quote: str, page: int | None, where: str) -> None:
        q = normalize_for_match(quote)
        words = len(quote.split())
        if not 10 <= words <= 60:
            warnings.append(f"{where}: quote has {words} words (10-60 asked)")
        if is_pdf:
            if page is None or page not in norm_pages:
                errors.append(f"{where}: a PDF quote needs its physical page (1..{len(pages)})")
            elif q not in norm_pages[page]:
                other = [n for n, t in norm_pages.items() if q in t]
                errors.append(f"{where}: quote not on page {page}" + (f" (it is on page {other[0]})" if other else ""))
        else:
            if page is not None:
                errors.append(f"{where}: page must be null for a text file")
            if q not in whole:
                errors.append(f"{where}: quote not found in the text")

    status: dict[str, str] = {}
    if not labels_path.is_file():
        errors.append(f"{labels_path}: missing")
    else:
        for n, line in enumerate(labels_path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{labels_path.name}:{n}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc})")
                continue
            el, st = raw.get("element"), raw.get("status")
            if raw.get("document") != doc:
                errors.append(f"{where}: document should be '{doc}'")
            if el not in ids:
                errors.append(f"{where}: unknown element '{el}'")
                continue
            if el in status:
                errors.append(f"{where}: element {el} twice")
            if st not in ("covered", "partial", "not_found"):
                errors.append(f"{where}: bad status '{st}'")
                continue
            status[el] = st
            if not raw.get("reason"):
                warnings.append(f"{where}: no reason")
            if st == "not_found":
                if raw.get("quote") or raw.get("page") is not None:
                    errors.append(f"{where}: not_found has no quote or page")
            elif not raw.get("quote"):
                errors.append(f"{where}: {st} needs a quote")
            else:
                quote_ok(raw["quote"], raw.get("page"), f"{where} ({el})")
        for el in ids:
            if el not in status:
                errors.append(f"{labels_path.name}: element {el} missing")

    best: dict[str, str] = {}
    graded: dict[str, set[str]] = {el: set() for el in ids}
    if args.no_passages:
        pass
    elif not passages_path.is_file():
        errors.append(f"{passages_path}: missing")
    else:
        rank = {"negative": 0, "other_group": 1, "vague": 1, "measure": 2}
        for n, line in enumerate(passages_path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{passages_path.name}:{n}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: not JSON ({exc})")
                continue
            el, grade, key = raw.get("element"), raw.get("grade"), raw.get("cand")
            if el not in ids:
                errors.append(f"{where}: unknown element '{el}'")
                continue
            if grade not in GRADES:
                errors.append(f"{where}: bad grade '{grade}'")
                continue
            if grade != "negative":
                if raw.get("commitment") not in COMMITMENTS:
                    errors.append(f"{where}: commitment must be one of {sorted(COMMITMENTS)}")
                if raw.get("target") not in TARGETS:
                    errors.append(f"{where}: target must be one of {sorted(TARGETS)}")
                if grade == "other_group" and raw.get("target") != "andere_groep":
                    errors.append(f"{where}: grade other_group goes with target andere_groep")
                if grade == "measure" and raw.get("target") == "andere_groep":
                    errors.append(f"{where}: a passage for another group is other_group, not measure")
            if key is not None:
                if key not in cand:
                    errors.append(f"{where}: unknown candidate '{key}'")
                    continue
                if key not in shown.get(el, set()):
                    errors.append(f"{where}: candidate {key} was not shown for {el}")
                if key in graded[el]:
                    errors.append(f"{where}: candidate {key} graded twice for {el}")
                graded[el].add(key)
                if grade != "negative":
                    if not raw.get("quote"):
                        errors.append(f"{where}: a positive candidate needs the quote that shows it")
                    elif normalize_for_match(raw["quote"]) not in normalize_for_match(cand[key]["text"]):
                        errors.append(f"{where}: quote is not inside candidate {key}")
            elif grade == "negative":
                if not raw.get("quote"):
                    errors.append(f"{where}: a negative found by reading needs its quote")
                else:
                    quote_ok(raw["quote"], raw.get("page"), where)
            else:
                if not raw.get("quote"):
                    errors.append(f"{where}: a passage found by reading needs page and quote")
                else:
                    quote_ok(raw["quote"], raw.get("page"), where)
            if rank[grade] > rank[best.get(el, "negative")]:
                best[el] = grade
        for el in ids:
            missing = shown.get(el, set()) - graded[el]
            if missing:
                errors.append(f"{el}: candidates not graded: {', '.join(sorted(missing, key=lambda k: int(k[1:])))}")
            derived = STATUS_OF_GRADE.get(best.get(el, "negative"), "not_found")
            if el in status and status[el] != derived:
                errors.append(f"{el}: status {status[el]} but its passages give {derived}")

    for w in warnings:
        print(f"warning: {w}")
    for e in errors:
        print(f"ERROR: {e}")
    counts = {s: sum(1 for v in status.values() if v == s) for s in ("covered", "partial", "not_found")}
    print(f"{doc}: {len(errors)} errors, {len(warnings)} warnings; statuses {counts}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
