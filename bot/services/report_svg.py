"""The HTML report's charts: hand-written inline SVG, sized for a phone, in the reader's script.

Why by hand and not matplotlib: a partner reads the report on a 412-pixel phone as often as on
a desk. Each chart is 360 units wide and shown at the width of the page (never wider than
600 pixels), so its 12-unit text is drawn at 11 pixels or more on a phone; text stays text,
so the browser draws every script and shapes Arabic. Each bar's label sits on its own line
above the bar and the bars leave room for their number, so no text ever covers a bar. In a
right-to-left report the bars grow from the right and labels start there.

A hidden count (``None``) is never drawn as zero: it is a dashed, empty box marked ``c``
(the tables' mark), with the suppression rule as its tooltip. A chart with nothing to show
(no bar above zero) is not drawn at all: the function returns an empty string.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 360
PAD = 6
FONT = 12          # units; a 412-px phone shows the chart about 380 px wide: >= 11 px
VALUE_ROOM = 48    # room after the longest bar for its number
BAR = 13
GAP = 10
COLORS = ("#3182bd", "#9ecae1", "#e6550d", "#756bb1")
HIDDEN_MARK = "c"


@dataclass(frozen=True)
class Bars:
    """One item of a chart: its label and one value per series (None: hidden)."""

    label: str
    values: tuple[int | None, ...]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _em(ch: str) -> float:
    """A generous estimate of a character's width, in ems (no font at hand on the server)."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.66


def _short(text: str) -> str:
    """The label cut to fit the chart's width (whole text in its tooltip)."""
    room = (WIDTH - 2 * PAD) / FONT
    if sum(map(_em, text)) <= room:
        return text
    used, cut = _em("…"), 0
    while cut < len(text) and used + _em(text[cut]) <= room:
        used += _em(text[cut])
        cut += 1
    return text[:cut].rstrip() + "…"


def has_something(items: Sequence[Bars]) -> bool:
    return any(v for item in items for v in item.values if v)


def bar_chart(title: str, items: Sequence[Bars], *, series: Sequence[str] = (),
              rtl: bool = False, hidden_note: str = "", colors: Sequence[str] = COLORS) -> str:
    """A horizontal bar chart as a ``<figure>``; "" when there is nothing to show."""
    if not items or not has_something(items):
        return ""
    top = max(v for item in items for v in item.values if v is not None)
    span = WIDTH - 2 * PAD - VALUE_ROOM
    parts: list[str] = []
    y = PAD
    for item in items:
        parts.append(_label(item.label, y + FONT, rtl))
        y += FONT + 5
        for index, value in enumerate(item.values):
            parts.append(_bar(value, top, span, y, rtl, colors[index % len(colors)],
                              hidden_note))
            y += BAR + 3
        y += GAP
    if len(series) > 1:
        parts.append(_legend(series, y, rtl, colors))
        y += FONT + 8
    height = y + PAD
    return (f'<figure class="chart"><figcaption>{_e(title)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" role="img" aria-label="{_e(title)}" font-size="{FONT}" '
            f'font-family="system-ui, sans-serif">{"".join(parts)}</svg></figure>')


def _label(text: str, baseline: float, rtl: bool) -> str:
    x = WIDTH - PAD if rtl else PAD
    direction = ' direction="rtl"' if rtl else ""
    return (f'<text class="label" x="{x}" y="{baseline}"{direction} text-anchor="start">'
            f"<title>{_e(text)}</title>{_e(_short(text))}</text>")


def _bar(value: int | None, top: int, span: float, y: float, rtl: bool, color: str,
         hidden_note: str) -> str:
    """One bar and its number (or the hidden mark), the number always beside the bar."""
    if value is None:
        width, body = 14.0, ('class="hidden" fill="none" stroke="#777" stroke-dasharray="3 2"')
        text = HIDDEN_MARK
        note = f"<title>{_e(hidden_note)}</title>" if hidden_note else ""
    else:
        width = max(1.5, span * value / top) if value else 0.0
        body, text, note = f'class="bar" fill="{color}"', f"{value:,}".replace(",", "\u202f"), ""
    if rtl:
        x, text_x, anchor = WIDTH - PAD - width, WIDTH - PAD - width - 4, "end"
    else:
        x, text_x, anchor = PAD, PAD + width + 4, "start"
    rect = (f'<rect {body} x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}">{note}</rect>'
            if width else "")
    return (f'{rect}<text class="value" x="{text_x:.1f}" y="{y + BAR - 2}" '
            f'text-anchor="{anchor}" direction="ltr">{note}{_e(text)}</text>')


def _legend(series: Sequence[str], y: float, rtl: bool, colors: Sequence[str]) -> str:
    parts, x = [], (WIDTH - PAD if rtl else PAD)
    for index, name in enumerate(series):
        color = colors[index % len(colors)]
        box_x = x - 10 if rtl else x
        text_x = box_x - 4 if rtl else box_x + 14
        direction = ' direction="rtl"' if rtl else ""  # "start" is then the right end
        parts.append(f'<rect x="{box_x}" y="{y + 2}" width="10" height="10" fill="{color}"/>'
                     f'<text class="legend" x="{text_x}" y="{y + FONT}" text-anchor="start"'
                     f"{direction}>{_e(name)}</text>")
        step = 24 + 7 * len(name)
        x = x - step if rtl else x + step
    return "".join(parts)
