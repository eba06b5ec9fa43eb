"""Issue 18, item 5: the translators' round trip without traps: `--source`, an import that
would break a flow, stale translations, and PO files that `msgfmt -c` accepts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.__main__ import main
from bot.engine import load_flows
from bot.engine.translation_marks import source_hash
from bot.services.translations import export_catalog

REPO = Path(__file__).resolve().parents[1]
LANGS = sorted({lang for flow in load_flows(REPO / "flows").flows.flows.values()
                for lang in flow.languages})
BIRTH = "KZ/birth-registration.yaml"


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(REPO / "flows", target)
    return target


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def _export(flows: Path, po: Path, *args: str) -> list:
    assert main(["flows", "export-translations", *args, "-o", str(po),
                 "--flows", str(flows)]) == 0
    with po.open("rb") as handle:
        return list(read_po(handle))


def _save(po: Path, messages: list) -> None:
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in messages:
        entry = catalog.get(message.id, context=message.context)
        entry.string, entry.flags = message.string, message.flags
    with po.open("wb") as out:
        write_po(out, catalog, width=0)


def test_export_with_a_source_language_imports_back(flows: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    po = tmp_path / "kk.po"
    messages = _export(flows, po, "--lang", "kk", "--source", "ru")
    intro = next(m for m in messages if m.context == "kz-birth|intro.say")
    flow = load_flows(flows).flows.flows["kz-birth"]
    assert intro.id == flow.steps["intro"].text.get("ru")      # Russian msgid
    assert intro.string == flow.steps["intro"].text.get("kk")  # Kazakh msgstr
    intro.string = "Тіркеу тегін: жаңа аударма."
    title = next(m for m in messages if m.context == "kz-birth|title")
    title.string = "Баланың тууын тіркеу (жаңа)"
    _save(po, [intro, title])
    capsys.readouterr()

    assert main(["flows", "import-translations", str(po), "--flows", str(flows)]) == 0

    printed = capsys.readouterr().out
    assert "2 translations written into 1 files" in printed
    flow = load_flows(flows).flows.flows["kz-birth"]
    assert flow.steps["intro"].text.get("kk") == "Тіркеу тегін: жаңа аударма."
    assert flow.title.get("kk") == "Баланың тууын тіркеу (жаңа)"
    text = (flows / BIRTH).read_text(encoding="utf-8")
    assert f"# kk from ru {source_hash(flow.steps['intro'].text.get('ru'))}" in text
    problems = load_flows(flows).problems
    assert [p for p in problems if p.code == "stale-translation" or p.is_error] == []


def test_an_import_that_would_break_a_flow_writes_nothing(flows: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    po = tmp_path / "ru.po"
    messages = _export(flows, po, "--lang", "ru")
    by_context = {m.context: m for m in messages}
    button = by_context["kz-birth|sms.options.0.label"]
    button.string = "Да, SMS пришло с номера 1414 сегодня утром, я его видела"  # 56 characters
    assert len(button.string) == 56
    placeholder = next(m for m in messages if m.context and "{" in m.id and m.string)
    placeholder.string = placeholder.string.replace("{", "{x", 1)
    fine = by_context["kz-birth|intro.say"]
    fine.string = "Этот перевод правильный, но не записывается вместе с ошибками."
    _save(po, [button, placeholder, fine])
    before = _snapshot(flows)
    capsys.readouterr()

    assert main(["flows", "import-translations", str(po), "--flows", str(flows)]) == 1

    printed = capsys.readouterr().out
    assert "kz-birth|sms.options.0.label (kz-birth): button label of 56 characters" in printed
    owner = placeholder.context.split("|")[0]
    assert f"{placeholder.context} ({owner}): placeholders" in printed
    assert "Nothing written" in printed
    assert _snapshot(flows) == before

    # The checker's own rules count too: a title over 120 characters, alone in the file.
    messages = _export(flows, po, "--lang", "ru")
    title = next(m for m in messages if m.context == "kz-birth|title")
    title.string = "Регистрация " * 12
    _save(po, [title])
    capsys.readouterr()
    assert main(["flows", "import-translations", str(po), "--flows", str(flows)]) == 1
    printed = capsys.readouterr().out
    assert "the checker would report new errors" in printed
    assert f"{flows}/{BIRTH}:" in printed and "120" in printed
    assert _snapshot(flows) == before


def test_a_translation_whose_source_changed_is_stale(flows: Path, tmp_path: Path) -> None:
    po = tmp_path / "ru.po"
    messages = _export(flows, po, "--lang", "ru")
    intro = next(m for m in messages if m.context == "kz-birth|intro.say")
    intro.string = "Регистрация бесплатная (новый перевод)."
    _save(po, [intro])
    assert main(["flows", "import-translations", str(po), "--flows", str(flows)]) == 0
    assert [p for p in load_flows(flows).problems if p.code == "stale-translation"] == []

    # Later someone rewrites the Kazakh source text by hand (or through Telegram).
    path = flows / BIRTH
    text = path.read_text(encoding="utf-8")
    assert text.count("Баланың тууын тіркеу тегін.") == 1
    path.write_text(text.replace("Баланың тууын тіркеу тегін.",
                                 "Баланың тууын тіркеу әрқашан тегін."), encoding="utf-8")

    [warning] = [p for p in load_flows(flows).problems if p.code == "stale-translation"]
    assert not warning.is_error
    assert "the ru text was translated from the kk text, which has changed since" in str(
        warning)
    assert warning.file.endswith(BIRTH)
    again = {m.context: m for m in export_catalog(flows, "ru")}
    assert again["kz-birth|intro.say"].fuzzy
    assert any("changed since" in c for c in again["kz-birth|intro.say"].auto_comments)
    assert not again["kz-birth|title"].fuzzy

    # The translator checks it and removes the fuzzy mark: the translation follows the new
    # source and is no longer stale.
    entry = again["kz-birth|intro.say"]
    catalog = export_catalog(flows, "ru")
    catalog.get(entry.id, context=entry.context).flags = set()
    with po.open("wb") as out:
        write_po(out, catalog, width=0)
    assert main(["flows", "import-translations", str(po), "--flows", str(flows)]) == 0
    assert [p for p in load_flows(flows).problems if p.code == "stale-translation"] == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (gettext) not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_msgfmt_accepts_every_export(flows: Path, tmp_path: Path, lang: str) -> None:
    po = tmp_path / f"{lang}.po"
    sources = [[]] + [["--source", s] for s in ("ru", "en", "fr") if s != lang]
    for source in sources:
        _export(flows, po, "--lang", lang, *source)
        checked = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)],
                                 capture_output=True, text=True, check=False)
        assert checked.returncode == 0, (source, checked.stderr[:2000])
