"""Translators' PO files: export, edit, import, with every other byte of the flows unchanged."""

from __future__ import annotations

import difflib
import io
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.__main__ import main
from bot.engine import load_flows
from bot.engine.translation_marks import source_hash, strip_marks
from bot.services.flow_texts import file_texts
from bot.services.translations import export_catalog, import_catalog

REPO = Path(__file__).resolve().parents[1]
LANGS = sorted({lang for flow in load_flows(REPO / "flows").flows.flows.values()
                for lang in flow.languages})


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def _bare(text: str) -> str:
    """The text without the translation marks (bot/engine/translation_marks.py)."""
    return "\n".join(strip_marks(line) for line in text.split("\n"))


def _po_roundtrip(catalog: Catalog) -> Catalog:
    """Write and read the catalogue back, as a translator's tool would."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0)
    buffer.seek(0)
    return read_po(buffer)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(REPO / "flows", target)
    return target


@pytest.mark.parametrize("lang", LANGS)
def test_importing_an_untouched_export_changes_no_byte(flows: Path, lang: str) -> None:
    before = _snapshot(flows)
    catalog = _po_roundtrip(export_catalog(flows, lang))
    report = import_catalog(flows, catalog, lang)
    assert report.changed == [] and report.outdated == [] and report.unknown == []
    assert _snapshot(flows) == before


def test_round_trip_one_edited_string_changes_only_that_text(flows: Path, tmp_path: Path
                                                             ) -> None:
    before = _snapshot(flows)
    po = tmp_path / "ru.po"
    assert main(["flows", "export-translations", "--lang", "ru", "-o", str(po),
                 "--flows", str(flows)]) == 0
    catalog = read_po(po.open("rb"))
    target = next(m for m in catalog if m.context == "kz-birth|intro.say")
    target.string = "Новый текст: с двоеточием # и решёткой"
    with po.open("wb") as out:
        write_po(out, catalog, width=0)

    assert main(["flows", "import-translations", str(po), "--flows", str(flows)]) == 0

    after = _snapshot(flows)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["KZ/birth-registration.yaml"]
    old_text = before[changed[0]].decode()
    site = next(s for s in file_texts(old_text).sites if s.path == "intro.say")
    node = site.lang_node("ru")
    first, last = node.start_mark.line, node.end_mark.line  # 0-based lines of the ru text
    old_lines = old_text.splitlines(keepends=True)
    new_lines = after[changed[0]].decode().splitlines(keepends=True)
    blocks = [op for op in difflib.SequenceMatcher(None, old_lines, new_lines).get_opcodes()
              if op[0] != "equal"]
    assert len(blocks) == 1
    _tag, i1, i2, _j1, _j2 = blocks[0]
    assert first <= i1 and i2 <= last + 1  # only the lines of that text changed
    assert "      ru: >-  # ru from kk " in "".join(new_lines)  # what it was made from
    assert "      ru: >-\n        Новый текст: с двоеточием # и решёткой\n" in _bare(
        "".join(new_lines))  # its block style and indentation are kept
    flow = load_flows(flows).flows.get("kz-birth")
    assert flow.steps["intro"].text.get("ru") == "Новый текст: с двоеточием # и решёткой"


FLOW = """\
# A comment the admin wrote: kept.
id: t-flow
languages: [fr, wo]
title: {fr: "Titre", wo: Tur}   # flow style
description:
  fr: Une description
source: [{title: Test, url: "https://example.org"}]
last_reviewed: 2026-11-01
steps:
  - id: hello
    say: Bonjour tout le monde
  - id: pick
    choose:
      fr: |
        Choisissez
        bien
    options:
      - {label: Oui, next: bye}
      - label: 'Non'
        next: bye
  - id: bye
    end: {fr: Fin}
"""


def _one_flow(tmp_path: Path) -> Path:
    root = tmp_path / "one"
    (root / "SN").mkdir(parents=True)
    (root / "SN" / "t.yaml").write_text(FLOW, encoding="utf-8")
    (root / "SN" / "country.yaml").write_text(
        "country: SN\nname: {fr: Sénégal}\nlanguages: [fr, wo]\ndefault_language: fr\n"
        "offices: []\n", encoding="utf-8")
    return root


def test_new_languages_are_inserted_with_the_files_layout(tmp_path: Path) -> None:
    root = _one_flow(tmp_path)
    catalog = _po_roundtrip(export_catalog(root, "wo"))
    wanted = {"t-flow|description": "Melo", "t-flow|hello.say": "Salaam: yépp",
              "t-flow|pick.choose": "Tànnal", "t-flow|pick.options.0.label": "Waaw, dëgg",
              "t-flow|pick.options.1.label": "Déedéet", "t-flow|bye.end": "Jeex na",
              "t-flow|title": "Tur bu bees", "country:SN|name": "Senegaal"}
    for message in catalog:
        if message.context in wanted:
            message.string = wanted[message.context]

    report = import_catalog(root, catalog, "wo")

    assert sorted(report.changed) == sorted(wanted)
    marked = (root / "SN" / "t.yaml").read_text(encoding="utf-8")
    assert f"  # wo from fr {source_hash('Bonjour tout le monde')}\n" in marked
    assert f"wo: Tànnal  # wo from fr {source_hash('Choisissez' + chr(10) + 'bien' + chr(10))}" \
        in marked
    text = _bare(marked)
    assert text.startswith("# A comment the admin wrote: kept.\n")
    assert "name: {fr: Sénégal, wo: Senegaal}\n" in _bare((root / "SN" / "country.yaml")
                                                           .read_text(encoding="utf-8"))
    assert 'title: {fr: "Titre", wo: Tur bu bees}   # flow style\n' in text
    assert "description:\n  fr: Une description\n  wo: Melo\n" in text
    assert 'say:\n      fr: Bonjour tout le monde\n      wo: "Salaam: yépp"\n' in text
    assert "      fr: |\n        Choisissez\n        bien\n      wo: Tànnal\n" in text
    assert '- {label: {fr: Oui, wo: "Waaw, dëgg"}, next: bye}' in text
    assert "label:\n          fr: 'Non'\n          wo: Déedéet\n" in text
    assert "end: {fr: Fin, wo: Jeex na}" in text
    data = yaml.safe_load(text)
    assert data["steps"][0]["say"] == {"fr": "Bonjour tout le monde", "wo": "Salaam: yépp"}
    assert data["steps"][1]["choose"] == {"fr": "Choisissez\nbien\n", "wo": "Tànnal"}
    result = load_flows(root)
    assert result.ok, result.errors
    assert not [p for p in result.warnings if p.code == "missing-translation"]


def test_fuzzy_outdated_and_unknown_entries_are_reported_not_written(tmp_path: Path) -> None:
    root = _one_flow(tmp_path)
    catalog = _po_roundtrip(export_catalog(root, "wo"))
    for message in catalog:
        if message.context == "t-flow|hello.say":
            message.string, message.flags = "Salaam", {"fuzzy"}
        if message.context == "t-flow|bye.end":
            message.id, message.string = "Fin (ancienne)", "Jeex"
    catalog.add("x", "y", context="t-flow|gone.say")
    before = _snapshot(root)

    report = import_catalog(root, catalog, "wo")

    assert report.fuzzy == ["t-flow|hello.say"]
    assert report.outdated == ["t-flow|bye.end"]
    assert report.unknown == ["t-flow|gone.say"]
    assert "t-flow|description" in report.missing
    assert _snapshot(root) == before


def test_the_import_command_runs_the_checker(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = _one_flow(tmp_path)
    catalog = export_catalog(root, "wo")
    for message in catalog:
        if message.context == "t-flow|pick.options.0.label":
            message.string = "x" * 60  # a button label over 40 characters
    po = tmp_path / "wo.po"
    with po.open("wb") as out:
        write_po(out, catalog)

    before = _snapshot(root)
    assert main(["flows", "import-translations", str(po), "--flows", str(root)]) == 1

    printed = capsys.readouterr().out
    assert "t-flow|pick.options.0.label (t-flow): button label of 60 characters" in printed
    assert "Nothing written" in printed
    assert _snapshot(root) == before
