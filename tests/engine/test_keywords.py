"""`keywords:` as a list per language (and the first format, one flat list, still accepted)."""

from __future__ import annotations

from tests.engine.conftest import Builder

HEAD = """\
id: kw
languages: [en, fr]
title: {en: Birth, fr: Naissance}
description: {en: Register a birth, fr: Déclarer une naissance}
source:
  - title: Source
    url: https://example.org
last_reviewed: 2026-01-15
"""
STEPS = """\
steps:
  - id: done
    end: {en: Done, fr: Fini}
"""


def test_a_list_per_language(build: Builder) -> None:
    result = build({"kw.yaml": HEAD + "keywords:\n  fr: [naissance, acte de naissance]\n"
                    "  ru: [рождение]\n  any: [1414]\n" + STEPS})
    assert result.problems == []
    flow = result.flows.flows["kw"]
    assert flow.keywords_by_lang == {"fr": ("naissance", "acte de naissance"),
                                     "ru": ("рождение",), "any": ("1414",)}
    assert flow.keywords == ("naissance", "acte de naissance", "рождение", "1414")


def test_the_flat_list_still_works(build: Builder) -> None:
    result = build({"kw.yaml": HEAD + "keywords: [birth, naissance]\n" + STEPS})
    assert result.problems == []
    assert result.flows.flows["kw"].keywords == ("birth", "naissance")
    assert result.flows.flows["kw"].keywords_by_lang == {"any": ("birth", "naissance")}


def test_mistakes_are_reported_where_they_are(build: Builder) -> None:
    text = HEAD + "keywords:\n  fre: [naissance]\n  en: birth\n  fr: [yes, ok]\n" + STEPS
    result = build({"kw.yaml": text})
    found = {(p.code, p.line, p.column) for p in result.problems}
    assert ("unknown-language", 10, 3) in found  # fre
    assert ("bad-field", 11, 3) in found  # en: not a list
    assert ("bad-field", 12, 8) in found  # yes: a switch, not a text
    assert result.flows.flows["kw"].keywords == ("ok",)
