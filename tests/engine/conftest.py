"""Shared fixtures for the engine tests: the complete example flow set, and a way to build
small flow folders in tmp_path from YAML strings (so each test reads on its own)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.engine import FlowSet, LoadResult, load_flows

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = date(2026, 6, 1)

COUNTRY_YAML = """\
country: TT
name: {en: Testland, fr: Testlande}
languages: [en, fr]
default_language: en
offices:
  - id: hall
    name: {en: Town hall, fr: Mairie}
"""

Builder = Callable[..., LoadResult]


@pytest.fixture(scope="session")
def complete() -> FlowSet:
    """tests/engine/fixtures/complete: every step kind, every input kind, a flow jump."""
    result = load_flows(FIXTURES / "complete", today=TODAY)
    assert result.problems == [], "\n".join(map(str, result.problems))
    return result.flows


@pytest.fixture
def build(tmp_path: Path) -> Builder:
    """build({"a.yaml": text, ...}, country=..., today=...) writes tmp_path/TT/ and loads it.

    Texts are dedented, so tests can indent them; the country folder is `TT`.
    """

    def _build(files: dict[str, str], *, country: str = COUNTRY_YAML,
               today: date = TODAY) -> LoadResult:
        folder = tmp_path / "TT"
        folder.mkdir(exist_ok=True)
        (folder / "country.yaml").write_text(country, encoding="utf-8")
        for name, text in files.items():
            (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
        return load_flows(tmp_path, today=today)

    return _build
