"""Turn the readers' passage grades into the project's passage-label files.

    .venv/bin/python scripts/label_collect.py LABELLING_DIR [FILE ...]

Reads ``LABELLING_DIR/out/FILE.passages.jsonl`` (candidate keys and passages found by reading, see
``scripts/label_check.py``) and writes ``corpus/labels/passages/STEM.passages.jsonl``: one line per graded passage,
located by page and a verbatim quote, so the labels survive a change of chunking. For a candidate that does not
show the element (a hard negative) the quote is the passage's opening words. Only short quotes are kept, never
the document's text.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANCHOR_WORDS = 12


def anchor(text: str) -> str:
    """The opening words of a passage, verbatim up to whitespace: enough to find it again."""
    words = text.split()
    return " ".join(words[:ANCHOR_WORDS])


def collect(labelling: Path, file_name: str, out_dir: Path) -> int:
    cand = json.loads((labelling / "candidates" / f"{file_name}.chunks.json").read_text(encoding="utf-8"))["chunks"]
    is_pdf = file_name.lower().endswith(".pdf")
    lines = []
    src = labelling / "out" / f"{file_name}.passages.jsonl"
    for raw_line in src.read_text(encoding="utf-8").splitlines():
        if not raw_line.strip():
            continue
        raw = json.loads(raw_line)
        key = raw.get("cand")
        if key:
            c = cand[key]
            quote = raw.get("quote") if raw["grade"] != "negative" and raw.get("quote") else anchor(str(c["text"]))
            page = c["page"]
        else:
            quote, page = raw["quote"], raw.get("page")
        lines.append(
            {
                "document": file_name,
                "element": raw["element"],
                "grade": raw["grade"],
                "commitment": raw.get("commitment"),
                "target": raw.get("target"),
                "page": page if is_pdf else None,
                "quote": quote,
                "source": "candidate" if key else "reading",
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{Path(file_name).stem}.passages.jsonl"
    out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return len(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path)
    parser.add_argument("files", nargs="*")
    parser.add_argument("--out", type=Path, default=ROOT / "corpus" / "labels" / "passages")
    args = parser.parse_args()
    files = args.files or sorted(p.name.removesuffix(".passages.jsonl") for p in (args.dir / "out").glob("*.jsonl"))
    for f in files:
        print(f"{f}: {collect(args.dir, f, args.out)} passage labels")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
