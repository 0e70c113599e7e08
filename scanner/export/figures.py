"""The coverage matrix figure: environments x dimensions, each cell split by status with its counts (PNG).

Drawn on matplotlib's Agg canvas (no pyplot, no global backend change) with its bundled DejaVu font, so it needs
no display and no network.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from scanner.export._common import STATUS_FILL, STATUS_INK, STATUSES, matrix
from scanner.frameworks import Framework
from scanner.results import STATUS_NL, ScanResult

__all__ = ["matrix_png"]


def _wrap(text: str, width: int) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def matrix_png(result: ScanResult, fw: Framework, *, width_in: float = 7.0, dpi: int = 200) -> bytes:
    """The matrix as PNG bytes. Cells are split left to right into covered, partial and not found, in proportion."""
    cells = matrix(result, fw)
    envs, dims = fw.environments, fw.dimensions
    label_w = 1.6  # column of environment labels, in cell units
    n_rows, n_cols = len(envs), len(dims)
    height_in = width_in * (n_rows + 0.9) / (n_cols + label_w) * 0.75
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)  # Agg explicitly, without pyplot or a process-wide backend switch
    ax = fig.add_axes((0.0, 0.12, 1.0, 0.88))
    ax.set_xlim(-label_w, n_cols + 0.03)
    ax.set_ylim(n_rows + 0.55, 0)
    ax.axis("off")
    for j, dim in enumerate(dims):
        ax.text(j + 0.5, 0.27, _wrap(dim.label, 16), ha="center", va="center", fontsize=8, fontweight="bold")
    for i, env in enumerate(envs):
        y = i + 0.55
        ax.text(-label_w + 0.05, y + 0.5, _wrap(env.label, 20), ha="left", va="center", fontsize=8, fontweight="bold")
        for j, dim in enumerate(dims):
            cell = cells[(env.id, dim.id)]
            x = j
            if cell.total:
                left = float(x)
                for s in STATUSES:
                    share = cell.counts[s] / cell.total
                    if share:
                        ax.add_patch(Rectangle((left, y), share, 1, facecolor="#" + STATUS_FILL[s], edgecolor="none"))
                        left += share
            ax.add_patch(Rectangle((x, y), 1, 1, facecolor="none", edgecolor="#555555", linewidth=0.8))
            c = cell.counts
            lines = [f"{c[s]} {STATUS_NL[s]}" for s in STATUSES if c[s]] or ["geen elementen"]
            ax.text(x + 0.5, y + 0.5, "\n".join(lines), ha="center", va="center", fontsize=7, color="#222222")
    handles = [
        Patch(facecolor="#" + STATUS_FILL[s], edgecolor="#" + STATUS_INK[s], label=STATUS_NL[s]) for s in STATUSES
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False)
    buf = io.BytesIO()
    # No creation metadata: the same scan gives the same bytes.
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
