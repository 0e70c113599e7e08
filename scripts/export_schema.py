"""Write the JSON Schema of the scan result to docs/scan-result.schema.json (a test keeps it in sync)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def schema_text() -> str:
    from scanner.results import SCHEMA_VERSION, ScanResult

    schema = ScanResult.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://beleidsscan.invalid/scan-result/{SCHEMA_VERSION}"
    schema["description"] = (
        "Result of a beleidsscan quick scan (*.scan.json): per framework element a status with verified evidence, "
        "the gaps with advice, and what produced it. schema_version " + SCHEMA_VERSION + "."
    )
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    out = ROOT / "docs" / "scan-result.schema.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {out}")
