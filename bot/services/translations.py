"""Translators' files: every text of the flows as a gettext PO catalogue, and back.

Export: for one language, each text of each flow (and country.yaml) that lists it becomes a
PO entry: msgid is the source text (the flow's first language, or `source` when the flow has
it), msgstr the current translation (empty when missing), msgctxt `<flow id>|<path>` (e.g.
`kz-birth|med_cert.options.1.label`; `country:KZ|offices.cson.name`) and the reference
`KZ/birth-registration.yaml:23`. Poedit and Weblate read it as any PO file.

Import: entries are matched by msgctxt, and written into the flow files in place (see
bot/services/yaml_edit.py): comments, order and layout stay, only the translated scalars
change. Fuzzy entries, and entries whose source text changed since the export, are skipped
and reported, so a translation is never attached to a text it was not made for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog

from bot.engine.loader import country_dirs

from .flow_texts import FileTexts, TextSite, file_texts
from .flow_versions import write_atomically
from .yaml_edit import Edit, apply, set_text

HEADER = """\
# Passerelle: the texts of the flows in {lang}, beside their source text.
# Translate each msgstr (Poedit, Weblate...); keep {{names}} in braces as they are.
# Then: python -m bot flows import-translations THIS_FILE  (see docs/translations.md)
#"""
LIMITS = {"label": 80, "title": 120, "description": 300}
BUTTONS = ("options", "items")


def flow_files(flows_dir: Path) -> list[Path]:
    return [path for country in country_dirs(flows_dir) for path in sorted(country.glob("*.yaml"))]


def _context(texts: FileTexts, site: TextSite) -> str:
    return f"{texts.owner}|{site.path}"


def _comment(site: TextSite, source: str) -> list[str]:
    notes = [f"source language: {source}"]
    last = site.path.rsplit(".", 1)[-1]
    if any(f".{kind}." in f".{site.path}" for kind in BUTTONS) and last == "label":
        notes.append("button: at most 40 characters")
    elif last in LIMITS:
        notes.append(f"at most {LIMITS[last]} characters")
    return notes


def export_catalog(flows_dir: Path, lang: str, source: str | None = None) -> Catalog:
    """A catalogue of every text of the flows that list `lang` (see the module docstring)."""
    header = HEADER.format(lang=lang)
    try:
        catalog = Catalog(locale=lang, project="Passerelle flows", charset="utf-8",
                          header_comment=header, fuzzy=False)
    except (UnknownLocaleError, ValueError):
        catalog = Catalog(project="Passerelle flows", charset="utf-8", header_comment=header,
                          fuzzy=False)
    for path in flow_files(flows_dir):
        texts = file_texts(path.read_text(encoding="utf-8"))
        if texts is None or lang not in texts.languages:
            continue
        src = source if source in texts.languages else texts.fallback
        reference = path.relative_to(flows_dir).as_posix()
        for site in texts.sites:
            written = site.by_lang(texts.fallback)
            msgid = written.get(src) or written.get(texts.fallback)
            if not msgid:
                continue
            comments = _comment(site, src)
            if "{" in msgid:
                comments.append("keep {names} in braces as they are")
            catalog.add(msgid, written.get(lang, ""), locations=[(reference, site.pos.line)],
                        context=_context(texts, site), auto_comments=comments[:3])
    return catalog


@dataclass
class ImportReport:
    lang: str
    changed: list[str] = field(default_factory=list)     # contexts written
    missing: list[str] = field(default_factory=list)     # texts still without a translation
    outdated: list[str] = field(default_factory=list)    # source changed since the export
    fuzzy: list[str] = field(default_factory=list)       # marked "needs work": skipped
    unknown: list[str] = field(default_factory=list)     # no such text (any more)
    files: list[Path] = field(default_factory=list)      # files rewritten


def import_catalog(flows_dir: Path, catalog: Catalog, lang: str,
                   source: str | None = None) -> ImportReport:
    """Write the catalogue's translations into the flow files; report what happened."""
    report = ImportReport(lang)
    entries = {}
    for message in catalog:
        if not message.id or not message.context:
            continue
        if message.fuzzy and message.string:
            report.fuzzy.append(message.context)
            continue
        entries[message.context] = message
    seen: set[str] = set()
    for path in flow_files(flows_dir):
        original = path.read_text(encoding="utf-8")
        texts = file_texts(original)
        if texts is None or lang not in texts.languages:
            continue
        src = source if source in texts.languages else texts.fallback
        wanted_by_site: dict[int, str] = {}
        for site in texts.sites:
            context = _context(texts, site)
            seen.add(context)
            written = site.by_lang(texts.fallback)
            message = entries.get(context)
            wanted = str(message.string) if message is not None and message.string else ""
            if not wanted:
                if not written.get(lang) and context not in report.fuzzy:
                    report.missing.append(context)
                continue
            if message.id != (written.get(src) or written.get(texts.fallback)):
                report.outdated.append(context)
                continue
            if written.get(lang) != wanted:
                wanted_by_site[id(site)] = wanted
                report.changed.append(context)
        if wanted_by_site:
            write_atomically(path, _rewrite(original, texts, lang, wanted_by_site))
            report.files.append(path)
    report.unknown = [c for c in entries if c not in seen]
    return report


def _rewrite(original: str, texts: FileTexts, lang: str, wanted: dict[int, str]) -> str:
    """The file with the new texts; read back, and all quoted if a style did not hold."""
    for quoted in (False, True):
        edits: list[Edit] = []
        for site in texts.sites:
            if id(site) in wanted:
                edits += set_text(original, site, lang, texts.fallback, wanted[id(site)],
                                  quoted=quoted)
        result = apply(original, edits)
        if _reads_back(result, texts, lang, wanted):
            return result
    raise ValueError(f"{texts.owner}: the translations could not be written safely")


def _reads_back(result: str, texts: FileTexts, lang: str, wanted: dict[int, str]) -> bool:
    """Every text of the new file says what it said, except the wanted ones."""
    try:
        again = file_texts(result)
    except yaml.YAMLError:
        return False
    if again is None or len(again.sites) != len(texts.sites):
        return False
    for old, new in zip(texts.sites, again.sites, strict=True):
        expected = old.by_lang(texts.fallback)
        if id(old) in wanted:
            expected = {**expected, lang: wanted[id(old)]}
        if old.path != new.path or new.by_lang(texts.fallback) != expected:
            return False
    return True
