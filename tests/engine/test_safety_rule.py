"""The safety rule: an office where people may be detained (`risk: enforcement`) always comes
with its caution, in every language people read; the checker refuses anything less.

Small flow folders are built in tmp_path (the `build` fixture); the last tests copy the
shipped flows and remove a caution from them, as an admin editing the live folder could.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import yaml

from bot.engine import Press, load_flows, resume, start
from bot.engine import events as ev

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 6, 1)

POLICE = """\
  - id: police
    name: {en: Migration police, fr: Police des migrations}
    risk: enforcement
"""
CAUTION = """\
    caution:
      en: People without valid papers may be detained here. Talk to a legal aid group first.
      fr: Une personne sans papiers valables peut y être retenue. Parlez à une aide juridique.
"""
HEAD = """\
country: TT
name: {en: Testland, fr: Testlande}
languages: [en, fr]
default_language: en
offices:
  - id: hall
    name: {en: Town hall, fr: Mairie}
"""

FLOW = """\
id: t-safe
languages: [en, fr]
title: {en: Title, fr: Titre}
description: {en: Description, fr: Description}
source:
  - title: Source
    url: https://example.org
last_reviewed: 2026-01-15
steps:
  - id: docs
    checklist: {en: Which papers do you have?, fr: Quels papiers avez-vous ?}
    items:
      - id: record
        label: {en: Police record, fr: Casier}
        office: police
  - id: go
    place: police
  - id: done
    end: {en: Done., fr: Fini.}
"""


def _errors(result, code: str) -> list:
    return [p for p in result.problems if p.code == code]


def test_an_enforcement_office_without_caution_is_an_error_naming_it(build) -> None:
    country = HEAD + POLICE
    result = build({"flow.yaml": FLOW}, country=country)
    [problem] = _errors(result, "no-caution")
    assert problem.is_error
    assert "`police`" in problem.message and "risk: enforcement" in problem.message
    assert problem.file.endswith("country.yaml")
    assert (problem.line, problem.column) == (8, 5)  # the office's `- id: police`
    assert not result.ok


def test_a_caution_missing_one_language_is_an_error_naming_office_and_language(build) -> None:
    country = HEAD + POLICE + CAUTION.replace(
        "      fr: Une personne sans papiers valables peut y être retenue. Parlez à une aide "
        "juridique.\n", "")
    result = build({"flow.yaml": FLOW}, country=country)
    [problem] = _errors(result, "caution-missing-language")
    assert problem.is_error
    assert "`police`" in problem.message and "`fr`" in problem.message
    assert problem.line == country.splitlines().index("    caution:") + 1
    assert not any(p.code == "missing-translation" for p in result.problems)  # said once


def test_a_language_of_a_flow_not_in_country_yaml_is_required_too(build) -> None:
    flow = FLOW.replace("languages: [en, fr]", "languages: [en, fr, ar]")
    result = build({"flow.yaml": flow}, country=HEAD + POLICE + CAUTION)
    [problem] = _errors(result, "caution-missing-language")
    assert "`ar`" in problem.message and problem.file.endswith("country.yaml")


def test_an_inline_enforcement_office_in_a_place_step_needs_its_caution(build) -> None:
    flow = FLOW.replace("    place: police\n", "    place:\n      name: {en: Checkpoint, fr: "
                        "Barrage}\n      risk: enforcement\n")
    result = build({"flow.yaml": flow}, country=HEAD + POLICE + CAUTION)
    [problem] = _errors(result, "no-caution")
    assert problem.file.endswith("flow.yaml") and "`go`" in problem.message


def test_an_unknown_risk_is_an_error_with_the_one_allowed_value(build) -> None:
    country = HEAD + POLICE.replace("enforcement", "police") + CAUTION
    result = build({"flow.yaml": FLOW}, country=country)
    [problem] = [p for p in result.problems if "risk" in p.message]
    assert problem.is_error and "risk: enforcement" in problem.hint


def test_a_complete_caution_passes_and_goes_with_the_office_everywhere(build) -> None:
    result = build({"flow.yaml": FLOW}, country=HEAD + POLICE + CAUTION)
    assert result.problems == []
    sprint = start(result.flows, "t-safe", "fr", today=TODAY)
    sprint = resume(result.flows, sprint.session, Press("docs", "done"), today=TODAY)
    [missing] = [e for e in sprint.events if isinstance(e, ev.Missing)]
    caution = "Une personne sans papiers valables peut y être retenue"
    assert missing.items[0].where == "Police des migrations"  # the office's name
    assert caution in (missing.items[0].caution or "")
    [place] = [e for e in sprint.events if isinstance(e, ev.Place)]
    assert place.name == "Police des migrations" and caution in (place.caution or "")
    [end] = [e for e in sprint.events if isinstance(e, ev.End)]
    assert caution in (end.missing[0].caution or "")  # and in the end summary


# -- the shipped flows --------------------------------------------------------------------

def _enforcement_offices() -> list[tuple[str, str]]:
    found = []
    for path in sorted((REPO / "flows").glob("*/country.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [(path.parent.name, o["id"]) for o in data.get("offices", [])
                  if o.get("risk") == "enforcement"]
    return found


def test_every_country_marks_its_enforcement_offices() -> None:
    marked = _enforcement_offices()
    assert {code for code, _ in marked} == {"CN", "KZ", "KG", "LB", "SN"}
    assert ("LB", "general_security") in marked


def test_removing_a_shipped_caution_is_an_error(tmp_path: Path) -> None:
    """What an admin could do to the live folder: every caution removed is caught."""
    for code, office_id in _enforcement_offices():
        target = tmp_path / f"{code}-{office_id}"
        shutil.copytree(REPO / "flows", target, ignore=shutil.ignore_patterns("tests"))
        path = target / code / "country.yaml"
        text = path.read_text(encoding="utf-8")
        # drop the `caution:` block of this office (its indented lines), nothing else
        block = re.compile(rf"(- id: {re.escape(office_id)}\n(?:(?!  - id:).*\n)*?)"
                           r"    caution:\n(?:      .*\n)+")
        stripped, count = block.subn(r"\1", text)
        assert count == 1, (code, office_id)
        path.write_text(stripped, encoding="utf-8")
        result = load_flows(target)
        errors = [p for p in result.errors if p.code == "no-caution"]
        assert len(errors) == 1 and f"`{office_id}`" in errors[0].message, (code, office_id)


def test_cautions_go_to_translators_with_the_other_office_texts() -> None:
    """`flows export-translations` reads the same sites: a caution is never left untranslated
    because the translators never saw it."""
    from bot.services.flow_texts import file_texts

    texts = file_texts((REPO / "flows" / "LB" / "country.yaml").read_text(encoding="utf-8"))
    assert texts is not None
    [site] = [s for s in texts.sites if s.path == "offices.general_security.caution"]
    assert set(site.by_lang("ar")) == set(texts.languages)
