"""The picture /report sends with the file: a PNG drawn with matplotlib (Agg, no display).

(The HTML report's charts are SVG written by ``report_svg``.) The PNG is drawn with the fonts
the server has, so a label those fonts cannot draw (or that needs right-to-left shaping, which
matplotlib does not do) is replaced by its ASCII id. A hidden count is marked ``c``, never
drawn as zero; with nothing to show there is no picture (``main_chart`` returns b"").
Only the object-oriented API is used (no pyplot state): safe in a worker thread.
"""

from __future__ import annotations

import io
import threading
import unicodedata
import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

_LOCK = threading.Lock()  # matplotlib's font cache and rcParams are process-wide
STARTED, COMPLETED = "#9ecae1", "#3182bd"


@cache
def _font():
    return font_manager.get_font(font_manager.findfont("DejaVu Sans"))


def drawable(text: str) -> bool:
    """Whether the PNG renderer can draw ``text`` as written (no missing glyphs, no RTL)."""
    font = _font()
    for ch in text:
        if unicodedata.bidirectional(ch) in ("R", "AL"):
            return False
        if not ch.isspace() and font.get_char_index(ord(ch)) == 0:
            return False
    return True


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _figure(labels: Sequence[str]) -> Figure:
    """A figure sized to its bars; margins from the label lengths (a layout engine would
    measure every text and cost about twice the drawing time)."""
    height = max(2.2, 0.36 * len(labels) + 1.0)
    fig = Figure(figsize=(7.5, height))
    FigureCanvasAgg(fig)
    longest = max((len(_short(label)) for label in labels), default=4)
    fig.subplots_adjust(left=min(0.45, 0.04 + 0.0095 * longest), right=0.97,
                        top=1 - 0.45 / height, bottom=0.45 / height)
    return fig


def _save(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    with (matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "passerelle"}),
          warnings.catch_warnings()):
        # SVG keeps text as text: a glyph the server's fonts lack is drawn by the browser.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buffer, format=fmt, dpi=144 if fmt == "png" else None)
    return buffer.getvalue()


def main_chart(report: Any, fmt: str = "png") -> bytes:
    """Started and completed runs per procedure (the picture /report sends); b"" when no
    procedure was used in the period."""
    from bot.i18n import gettext_for

    from .reports import HIDDEN

    _ = gettext_for(report.lang)
    rows = [r for r in report.table("procedures").rows
            if r["started"] is HIDDEN or (r["started"] or 0) > 0]
    if not rows:
        return b""
    labels = [r["procedure"] if drawable(r["procedure"]) else r["flow_id"] for r in rows]
    title = _("Started and completed, per procedure")
    if not drawable(title):
        title = "started / completed"
    legend = (_("Started"), _("Completed"))
    if not all(map(drawable, legend)):
        legend = ("started", "completed")
    return started_completed(
        labels, [None if r["started"] is HIDDEN else r["started"] for r in rows],
        [None if r["completed"] is HIDDEN else r["completed"] for r in rows],
        title=title, legend=legend, fmt=fmt)


def started_completed(labels: Sequence[str], started: Sequence[int | None],
                      completed: Sequence[int | None], *, title: str, legend: tuple[str, str],
                      fmt: str = "png") -> bytes:
    """Started and completed runs, one pair of bars per procedure; None is hidden: no bar,
    the mark ``c`` where it would be."""
    with _LOCK:
        fig = _figure(labels)
        ax = fig.add_subplot()
        ys = range(len(labels))
        ax.barh([y + 0.2 for y in ys], [v or 0 for v in started], height=0.4, color=STARTED,
                label=legend[0])
        ax.barh([y - 0.2 for y in ys], [v or 0 for v in completed], height=0.4,
                color=COMPLETED, label=legend[1])
        top = max([v for v in (*started, *completed) if v is not None], default=0) or 1
        for y, (s, c) in enumerate(zip(started, completed, strict=True)):
            for offset, value in ((0.2, s), (-0.2, c)):
                if value is None:
                    ax.text(top * 0.01, y + offset, "c", va="center", fontsize=8)
        _axes(ax, labels, title)
        if labels:
            ax.legend(loc="best", fontsize=8)
        return _save(fig, fmt)


def _axes(ax, labels: Sequence[str], title: str) -> None:
    ax.set_yticks(range(len(labels)), [_short(label) for label in labels], fontsize=8)
    ax.invert_yaxis()  # first step on top, like a funnel
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    if not labels:
        ax.text(0.5, 0.5, "—", ha="center", va="center", transform=ax.transAxes)
