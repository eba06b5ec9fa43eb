"""Translators' files: every text of the flows as a gettext PO catalogue, and back.

Export: for one language, each text of each flow (and country.yaml) that lists it becomes a
PO entry: msgid is the source text (the flow's first language, or `source` when the flow has
it), msgstr the current translation (empty when missing), msgctxt `<flow id>|<path>` (e.g.
`kz-birth|med_cert.options.1.label`; `country:KZ|offices.cson.name`) and the reference
`KZ/birth-registration.yaml:23`. Poedit and Weblate read it as any PO file.

Import: entries are matched by msgctxt, and written into the flow files in place (see
bot/services/yaml_edit.py): comments, order and layout stay, only the translated scalars
change. Fuzzy entries, and entries whose source text changed since the export, are skipped
and reported, so a translation is never attached to a text it was not made for. Each entry
names its source language (the comment "source language: ru"), so a file exported with
`--source ru` is compared with the Russian texts on import without repeating the option.
An import that would break a flow (a button over 40 characters, a `{placeholder}` changed,
a new checker error) writes nothing at all and names each entry (:class:`ImportReport`).
Each translation written records what it was made from (bot/engine/translation_marks.py):
when that source text changes later, the translation is stale, fuzzy in the next export.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog, Message

from bot.engine import load_flows
from bot.engine.fields import MAX_BUTTON
from bot.engine.loader import country_dirs
from bot.engine.texts import placeholders
from bot.engine.translation_marks import mark_line, marks_on, source_hash, stale, with_marks

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
SOURCE_NOTE = "source language: "
STALE_NOTE = "the {source} text changed since this translation was made: check it"


def flow_files(flows_dir: Path) -> list[Path]:
    return [path for country in country_dirs(flows_dir) for path in sorted(country.glob("*.yaml"))]


def _context(texts: FileTexts, site: TextSite) -> str:
    return f"{texts.owner}|{site.path}"


def _is_button(site: TextSite) -> bool:
    last = site.path.rsplit(".", 1)[-1]
    return any(f".{kind}." in f".{site.path}" for kind in BUTTONS) and last == "label"


def _comment(site: TextSite, source: str) -> list[str]:
    notes = [f"{SOURCE_NOTE}{source}"]
    last = site.path.rsplit(".", 1)[-1]
    if _is_button(site):
        notes.append(f"button: at most {MAX_BUTTON} characters")
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
        text = path.read_text(encoding="utf-8")
        texts = file_texts(text)
        if texts is None or lang not in texts.languages:
            continue
        src = source if source in texts.languages else texts.fallback
        reference = path.relative_to(flows_dir).as_posix()
        lines = text.splitlines()
        for site in texts.sites:
            written = site.by_lang(texts.fallback)
            msgid = written.get(src) or written.get(texts.fallback)
            if not msgid:
                continue
            shown = src if written.get(src) else texts.fallback
            comments = _comment(site, shown)
            if "{" in msgid:
                comments.append("keep {names} in braces as they are")
            translated = written.get(lang, "")
            flags: set[str] = set()
            if translated and isinstance(site.value, yaml.MappingNode):
                for mark in stale(lines, site.value):
                    if mark.lang == lang:
                        flags.add("fuzzy")
                        comments.insert(0, STALE_NOTE.format(source=mark.source))
            catalog.add(msgid, _same_ends(msgid, translated),
                        locations=[(reference, site.pos.line)],
                        context=_context(texts, site), auto_comments=comments[:4], flags=flags)
    return catalog


def _same_ends(msgid: str, msgstr: str) -> str:
    """gettext requires a msgstr to begin and end with a newline exactly when its msgid does
    (`msgfmt -c`); a folded YAML text may differ there without meaning anything."""
    body = msgstr.strip("\n")
    if not body:
        return body
    start = "\n" if msgid.startswith("\n") else ""
    end = "\n" if msgid.endswith("\n") else ""
    return start + body + end


@dataclass
class ImportReport:
    lang: str
    changed: list[str] = field(default_factory=list)     # contexts written
    missing: list[str] = field(default_factory=list)     # texts still without a translation
    outdated: list[str] = field(default_factory=list)    # source changed since the export
    fuzzy: list[str] = field(default_factory=list)       # marked "needs work": skipped
    unknown: list[str] = field(default_factory=list)     # no such text (any more)
    files: list[Path] = field(default_factory=list)      # files rewritten
    refused: list[str] = field(default_factory=list)     # entries that would break a flow
    checker: list[str] = field(default_factory=list)     # new checker errors they would cause

    @property
    def ok(self) -> bool:
        """False: nothing was written (see `refused` and `checker`)."""
        return not self.refused and not self.checker


@dataclass
class _Plan:
    path: Path
    original: str
    texts: FileTexts
    wanted: dict[int, str] = field(default_factory=dict)             # id(site) -> text
    marks: dict[int, tuple[str, str]] = field(default_factory=dict)  # id(site) -> source, hash
    contexts: dict[int, str] = field(default_factory=dict)


def _source_of(message: Message, fallback: str | None) -> str | None:
    """The source language the entry was exported with (its "source language:" comment)."""
    for comment in message.auto_comments:
        if comment.startswith(SOURCE_NOTE):
            return comment[len(SOURCE_NOTE):].strip() or fallback
    return fallback


def _problems(site: TextSite, source_text: str, wanted: str) -> list[str]:
    """What would break if `wanted` replaced the translation of `site`."""
    found = []
    expected = sorted({name for name, _ in placeholders(source_text)})
    got = sorted({name for name, _ in placeholders(wanted)})
    if got != expected:
        found.append("placeholders {" + "}, {".join(got) + "} instead of {"
                     + "}, {".join(expected) + "}" if expected or got else "placeholders")
    if _is_button(site) and len(wanted) > MAX_BUTTON:
        found.append(f"button label of {len(wanted)} characters (at most {MAX_BUTTON})")
    return found


def import_catalog(flows_dir: Path, catalog: Catalog, lang: str,
                   source: str | None = None) -> ImportReport:
    """Write the catalogue's translations into the flow files; report what happened.

    All or nothing: when any entry would break a flow, no file is written."""
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
    plans = []
    for path in flow_files(flows_dir):
        original = path.read_text(encoding="utf-8")
        texts = file_texts(original)
        if texts is None or lang not in texts.languages:
            continue
        plan = _Plan(path, original, texts)
        lines = original.splitlines()
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
            src = _source_of(message, source)
            src = src if src in written else texts.fallback
            source_text = written.get(src, "")
            if message.id != source_text:
                report.outdated.append(context)
                continue
            # the newlines gettext asks for (see _same_ends) follow the text already there;
            # a new text is written without them
            wanted = _same_ends(written.get(lang, ""), wanted.strip("\n"))
            if src == lang:
                continue  # a text is not its own translation
            for problem in _problems(site, source_text, wanted):
                report.refused.append(f"{context} ({texts.owner}): {problem}")
            mark = (src, source_hash(source_text))
            if written.get(lang) != wanted or _outdated_mark(lines, site, lang, written, mark):
                plan.wanted[id(site)] = wanted
                plan.marks[id(site)] = mark
                plan.contexts[id(site)] = context
                report.changed.append(context)
        if plan.wanted:
            plans.append(plan)
    report.unknown = [c for c in entries if c not in seen]
    if report.refused:
        report.changed = []
        return report
    results = {plan.path: _rewrite(plan.original, plan.texts, lang, plan.wanted, plan.marks)
               for plan in plans}
    report.checker = _new_errors(flows_dir, results)
    if report.checker:
        report.changed = []
        return report
    for path, text in results.items():
        write_atomically(path, text)
        report.files.append(path)
    return report


def _outdated_mark(lines: list[str], site: TextSite, lang: str, written: dict[str, str],
                   mark: tuple[str, str]) -> bool:
    """The same translation imported again re-marks it only when its mark is stale: a mark
    made from another language that is still current stays (uz_Cyrl is made from uz, and an
    export from the flow's first language must not re-mark it as made from ky)."""
    current = _mark_of(lines, site, lang)
    if current in (None, mark):
        return False
    other, digest = current
    return other not in written or source_hash(written[other]) != digest


def _mark_of(lines: list[str], site: TextSite, lang: str) -> tuple[str, str] | None:
    if not isinstance(site.value, yaml.MappingNode):
        return None
    line = mark_line(site.value, lang)
    return None if line is None or line >= len(lines) else marks_on(lines[line]).get(lang)


def _new_errors(flows_dir: Path, results: dict[Path, str]) -> list[str]:
    """The checker's errors on the flows with these files replaced, that it did not report
    before (with the real file names): checked in a copy, so nothing is written yet."""
    def key(problem: object) -> tuple[str, str]:
        return (getattr(problem, "code", ""), getattr(problem, "message", ""))

    before = {key(p) for p in load_flows(flows_dir).errors}
    with tempfile.TemporaryDirectory(prefix="passerelle-import-") as tmp:
        copy = Path(tmp) / "flows"
        shutil.copytree(flows_dir, copy, ignore=shutil.ignore_patterns(".*"))
        for path, text in results.items():
            (copy / path.relative_to(flows_dir)).write_text(text, encoding="utf-8")
        errors = load_flows(copy).errors
        return [str(p).replace(str(copy), str(flows_dir)) for p in errors
                if key(p) not in before]


def _rewrite(original: str, texts: FileTexts, lang: str, wanted: dict[int, str],
             marks: dict[int, tuple[str, str]] | None = None) -> str:
    """The file with the new texts and their marks; read back, and all quoted if a style did
    not hold."""
    for quoted in (False, True):
        edits: list[Edit] = []
        for site in texts.sites:
            if id(site) in wanted:
                edits += set_text(original, site, lang, texts.fallback, wanted[id(site)],
                                  quoted=quoted)
        result = apply(original, edits)
        if _reads_back(result, texts, lang, wanted):
            marked = _with_marks(result, texts, lang, marks or {})
            if _reads_back(marked, texts, lang, wanted):
                return marked
            return result
    raise ValueError(f"{texts.owner}: the translations could not be written safely")


def _with_marks(text: str, before: FileTexts, lang: str,
                marks: dict[int, tuple[str, str]]) -> str:
    """Record beside each written translation what it was made from (translation_marks)."""
    after = file_texts(text)
    if after is None or not marks:
        return text
    lines = text.split("\n")
    for old, new in zip(before.sites, after.sites, strict=True):
        if id(old) not in marks or not isinstance(new.value, yaml.MappingNode):
            continue
        line = mark_line(new.value, lang)
        if line is None or line >= len(lines):
            continue
        current = marks_on(lines[line])
        current[lang] = marks[id(old)]
        lines[line] = with_marks(lines[line], current)
    return "\n".join(lines)


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
