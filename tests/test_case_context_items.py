"""A volunteer taking a case sees the documents missing for this person only: a checklist
item whose `if:` is false is neither "have" nor "missing" in the case's context."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from bot.engine import Press, load_flows, resume, start
from bot.services.mediation import case_context

COUNTRY = "country: SN\nname: {fr: Sénégal}\nlanguages: [fr]\ndefault_language: fr\n"
FLOW = textwrap.dedent("""\
    id: sn-test
    languages: [fr]
    title: Déclaration de naissance
    description: Test
    source:
      - title: S
        url: https://example.org
    last_reviewed: 2026-05-01
    steps:
      - id: father
        choose: Le père reconnaît-il l'enfant ?
        save: father_known
        exhaustive: true
        options:
          - {label: Oui, value: true, next: docs}
          - {label: Non, value: false, next: docs}
      - id: docs
        checklist: Quels papiers avez-vous ?
        items:
          - id: mother_id
            label: Pièce d'identité de la mère
          - id: father_id
            label: Pièce d'identité du père
            if: father_known
      - id: help
        escalate: Besoin d'aide
    """)


def test_the_case_lists_only_the_items_that_concern_the_person(tmp_path: Path) -> None:
    (tmp_path / "SN").mkdir()
    (tmp_path / "SN" / "country.yaml").write_text(COUNTRY, encoding="utf-8")
    (tmp_path / "SN" / "flow.yaml").write_text(FLOW, encoding="utf-8")
    flows = load_flows(tmp_path, today=date(2026, 6, 1)).flows
    sprint = start(flows, "sn-test", "fr")
    sprint = resume(flows, sprint.session, Press("father", "1"))  # no father
    sprint = resume(flows, sprint.session, Press("docs", "done"))
    context = case_context(flows, sprint.session, "help")
    assert context["missing"] == ["Pièce d'identité de la mère"]
    assert context["have"] == []
