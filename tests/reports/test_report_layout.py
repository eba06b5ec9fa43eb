"""Issue 18, item 7: the HTML report as a partner sees it, measured in headless Chromium at
412x915 (a phone) and 1280x900 (a desk). Skipped where Chromium is not installed (.ci/run
installs it). Chromium's headless window is at least 500 px wide, so the report is laid out
in an iframe of the wanted size and measured from the page around it."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.services import report_formats, reports
from bot.storage.db import Database
from tests.reports.test_reports import FLOWS, NOVEMBER, add_events, add_outcomes

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
SIZES = [(412, 915), (1280, 900)]

MEASURE = """
var f = document.getElementById('f');
f.onload = function () {
  var w = f.contentWindow, d = w.document, out = {};
  out.width = w.innerWidth; out.scrollWidth = d.documentElement.scrollWidth;
  out.charts = [];
  d.querySelectorAll('figure.chart').forEach(function (fig) {
    var svg = fig.querySelector('svg'), box = svg.getBoundingClientRect();
    var scale = box.width / svg.viewBox.baseVal.width, c = {};
    c.title = fig.querySelector('figcaption').textContent;
    var texts = Array.prototype.slice.call(svg.querySelectorAll('text'));
    var bars = Array.prototype.slice.call(svg.querySelectorAll('rect.bar, rect.hidden'));
    c.minFont = Math.min.apply(null, texts.map(function (t) {
      return parseFloat(w.getComputedStyle(t).fontSize) * scale; }));
    c.overlaps = 0; c.outside = 0; c.fromRight = 0; c.fromLeft = 0;
    c.hidden = svg.querySelectorAll('rect.hidden').length;
    c.zeroWidth = bars.filter(function (r) { return r.getBBox().width < 0.5; }).length;
    texts.forEach(function (t) {
      var a = t.getBoundingClientRect();
      if (a.left < box.left - 1 || a.right > box.right + 1) c.outside++;
      bars.forEach(function (r) {
        var b = r.getBoundingClientRect();
        var x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        var y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 0.5 && y > 0.5) c.overlaps++;
      });
    });
    bars.forEach(function (r) {
      var b = r.getBoundingClientRect();
      if (box.right - b.right < 0.05 * box.width) c.fromRight++;
      if (b.left - box.left < 0.05 * box.width) c.fromLeft++;
    });
    c.bars = bars.length;
    out.charts.push(c);
  });
  var th = d.querySelector('table th'), r = th.getBoundingClientRect();
  out.firstHeader = th.textContent;
  out.firstHeaderVisible = r.left >= -1 && r.right <= w.innerWidth + 1;
  out.secondHeader = d.querySelectorAll('table th')[1].textContent;
  document.body.insertAdjacentHTML('beforeend',
    '<pre id="measured">' + JSON.stringify(out).replace(/</g, '\\\\u003c') + '</pre>');
};
"""


def measure(page: str, width: int, height: int, tmp_path: Path) -> dict:
    harness = tmp_path / f"harness-{width}.html"
    harness.write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">'
        f'<iframe id="f" style="border:0" width="{width}" height="{height}" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
        f"<script>{MEASURE}</script></body></html>", encoding="utf-8")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
         f"--window-size={width + 20},{height}", "--virtual-time-budget=10000",
         "--dump-dom", harness.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.findall(r'<pre id="measured">(\{.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    return json.loads(html.unescape(found[-1]))


async def _report(db: Database, lang: str) -> str:
    await add_events(db, [("started", "intro", "", 60), ("reached", "intro", "", 60),
                          ("reached", "birth_date", "", 58), ("abandoned", "birth_date", "", 3),
                          ("reached", "parents", "", 44), ("abandoned", "parents", "", 20),
                          ("completed", "end", "", 24)])
    await add_outcomes(db, [("followup", "got_it", "con", "[]", 30),
                            ("followup", "not_yet", "con", '["travel"]', 12),
                            ("followup", "refused", "con", '["unofficial_fee"]', 4)])
    report = await reports.build(db, FLOWS, NOVEMBER, lang=lang)
    return report_formats.render(report, "html").decode()


@pytest.mark.parametrize(("width", "height"), SIZES)
async def test_the_report_reads_on_a_phone_and_a_desk(db: Database, tmp_path: Path,
                                                      width: int, height: int) -> None:
    page = await _report(db, "en")
    got = measure(page, width, height, tmp_path)
    assert got["width"] == width
    assert got["scrollWidth"] <= width  # tables scroll in their own box, not the page
    assert got["firstHeader"] == "Procedure" and got["firstHeaderVisible"]
    assert got["secondHeader"] == "Started"  # the key figures come right after it
    assert got["charts"], "no chart drawn"
    for chart in got["charts"]:
        assert chart["minFont"] >= 11, chart
        assert chart["overlaps"] == 0 and chart["outside"] == 0, chart
        assert chart["fromLeft"] == chart["bars"], chart  # left to right
        assert chart["zeroWidth"] == 0, chart  # a hidden count is a marked box, not a zero
    assert any(chart["hidden"] for chart in got["charts"])  # the funnel's hidden count
    # The funnel names steps by what people see, never by an id; silent steps are left out.
    flow = FLOWS.flows["kz-birth"]
    charts = "".join(re.findall(r"<figure.*?</figure>", page, re.S))
    labels = re.findall(r'<text class="label"[^>]*><title>([^<]*)</title>', charts)
    assert labels and not set(labels) & set(flow.steps)
    silent = [s for s in flow.steps.values() if s.kind in ("branch", "compute", "flow")]
    assert len(labels) == 1 + len(flow.steps) - len(silent)  # main chart + the funnel


async def test_arabic_charts_run_right_to_left_with_labels_clear(db: Database,
                                                                 tmp_path: Path) -> None:
    page = await _report(db, "ar")
    assert '<html lang="ar" dir="rtl">' in page
    got = measure(page, 412, 915, tmp_path)
    assert got["scrollWidth"] <= 412
    for chart in got["charts"]:
        assert chart["fromRight"] == chart["bars"], chart  # bars grow from the right
        assert chart["overlaps"] == 0 and chart["outside"] == 0, chart
        assert chart["minFont"] >= 11, chart
    assert got["charts"][0]["title"] != "Started and completed, per procedure"  # translated
