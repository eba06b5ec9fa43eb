"""Reloading remembers what unchanged files gave, and never hands back a stale or misplaced result.

`load_flows` keys what reading a file produced by its content and country folder. These tests
load real folders twice and compare with a load where nothing is remembered.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

from bot.engine import file_cache, load_flows

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 6, 1)

BROKEN = """\
id: broken
languages: [en]
title: Broken
description: A flow with mistakes
source:
  - title: Source
    url: https://example.org
last_reviewed: 2026-01-15
colour: blue
steps:
  - id: ask
    ask: What is your name?
    input: text
    save: name
    next: nowhere
  - id: done
    end: Thanks {name}
"""


def _folder(root: Path) -> Path:
    shutil.copytree(FIXTURES / "complete", root)
    (root / "TT" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return root


def _fresh(root: Path):  # type: ignore[no-untyped-def]
    file_cache.clear()
    return load_flows(root, today=TODAY)


def test_a_reload_gives_the_same_flows_and_problems(tmp_path: Path) -> None:
    root = _folder(tmp_path / "flows")
    first = _fresh(root)
    again = load_flows(root, today=TODAY)
    assert [str(p) for p in again.problems] == [str(p) for p in first.problems]
    assert {p.code for p in first.problems} >= {"unknown-field", "unknown-step"}
    assert again.flows.flows.keys() == first.flows.flows.keys()
    for flow_id, flow in first.flows.flows.items():
        assert again.flows.flows[flow_id] == flow


def test_a_copy_elsewhere_names_its_own_files(tmp_path: Path) -> None:
    """A proposal is checked on a copy of the folder: every problem and flow names the copy."""
    original = _folder(tmp_path / "live")
    _fresh(original)
    copy = tmp_path / "proposal"
    shutil.copytree(original, copy)
    cached = load_flows(copy, today=TODAY)
    uncached = _fresh(copy)
    assert [str(p) for p in cached.problems] == [str(p) for p in uncached.problems]
    assert all(p.file.startswith(str(copy)) for p in cached.problems)
    assert all(flow.file.startswith(str(copy)) for flow in cached.flows.flows.values())
    assert all(c.file.startswith(str(copy)) for c in cached.flows.countries.values())


def test_an_edit_is_seen_even_with_the_same_size_and_time(tmp_path: Path) -> None:
    root = _folder(tmp_path / "flows")
    path = next(root.rglob("broken.yaml"))
    _fresh(root)
    stat = path.stat()
    path.write_text(BROKEN.replace("colour: blue", "colour: bleu"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    message = next(p.message for p in load_flows(root, today=TODAY).problems
                   if p.code == "unknown-field")
    assert "colour" in message
    fixed = BROKEN.replace("colour: blue\n", "").replace("nowhere", "done")
    path.write_text(fixed, encoding="utf-8")
    result = load_flows(root, today=TODAY)
    assert not [p for p in result.problems if p.file == str(path)]
    assert result.flows.flows["broken"].steps["ask"].next == "done"


def test_the_same_bytes_in_another_country_are_read_for_that_country(tmp_path: Path) -> None:
    root = _folder(tmp_path / "flows")
    assert _fresh(root).flows.flows["broken"].country == "TT"
    other = tmp_path / "other" / "ZZ"
    other.mkdir(parents=True)
    shutil.copy(root / "TT" / "broken.yaml", other / "broken.yaml")
    result = load_flows(other.parent, today=TODAY)
    assert result.flows.flows["broken"].country == "ZZ"
    assert any(p.code == "no-country" and p.file == str(other / "broken.yaml")
               for p in result.problems)
