"""Tiny flows written into tmp_path: the shipped flows/ change under the tests' feet."""

from __future__ import annotations

from pathlib import Path

import pytest

COUNTRY = """\
country: XA
name: {en: Testland, fr: Pays-Test}
languages: [en, fr]
default_language: en
offices:
  - id: town_hall
    name: {en: Town hall, fr: Mairie}
    address: {en: 1 Main Street, fr: 1 rue Principale}
    hours: {en: Mon-Fri 9-17, fr: Lun-Ven 9-17}
    phone: "+1 555 0100"
    url: https://example.org/town-hall
    lat: 48.85
    lon: 2.35
"""

PERMIT = """\
id: xa-permit
languages: [en, fr]
title: {en: Fishing permit, fr: Permis de pêche}
description: {en: How to get a "fishing" permit, fr: Comment obtenir un permis de pêche}
source:
  - title: Official [fishing] portal
    url: https://example.org/fishing
  - title: Rules (PDF)
    url: https://example.org/rules.pdf
last_reviewed: 2026-01-15
review:
  fr: not yet reviewed by a native speaker
steps:
  - id: intro
    say: {en: "Welcome. A permit costs 10 \\"coins\\" [sic].", fr: Bienvenue.}
  - id: age
    ask: {en: "How old are you?", fr: "Quel âge avez-vous ?"}
    input: number
    min: 0
    max: 120
    save: age
    label: {en: Age, fr: Âge}
    retry: {en: "Please type your age in years, like 34.", fr: "Écrivez votre âge, par exemple 34."}
  - id: adult
    branch:
      - if: age >= 18
        next: kind
    else: minor
  - id: minor
    escalate: {en: A minor asks for a permit, fr: Un mineur demande un permis}
    next: kind
  - id: kind
    review: {fr: options not yet reviewed}
    choose: {en: "Which permit?", fr: "Quel permis ?"}
    save: kind
    label: {en: Permit, fr: Permis}
    options:
      - label: {en: River <day>, fr: Rivière (jour)}
        value: river
        next: papers
      - label: {en: Sea | year, fr: Mer (année)}
        value: sea
        next: other
  - id: papers
    checklist: {en: "Which papers do you have?", fr: "Quels papiers avez-vous ?"}
    save: papers
    items:
      - id: id_card
        label: {en: ID card, fr: Carte d'identité}
        where: {en: At the town hall, fr: À la mairie}
      - id: photo
        label: {en: Photo, fr: Photo}
        where: {en: Any photo booth, fr: Photomaton}
  - id: office
    place: town_hall
    note: {en: Bring cash., fr: Apportez des espèces.}
  - id: done
    end: {en: "All set, {kind}.", fr: "C'est prêt."}
  - id: other
    flow: xa-boat
"""

BOAT = """\
id: xa-boat
languages: [en]
title: Boat licence
description: Licence for a boat
source:
  - title: Boats
    url: https://example.org/boats
last_reviewed: 2026-02-01
steps:
  - id: ask_boat
    ask: Do you own a boat?
    input: yesno
    save: boat
  - id: finish
    end: Go to the harbour.
"""


def write_flows(root: Path) -> Path:
    country = root / "flows" / "XA"
    (country / "tests").mkdir(parents=True)
    (country / "country.yaml").write_text(COUNTRY, encoding="utf-8")
    (country / "permit.yaml").write_text(PERMIT, encoding="utf-8")
    (country / "boat.yaml").write_text(BOAT, encoding="utf-8")
    return root / "flows"


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    return write_flows(tmp_path)
