"""Reading the fields every flow file shares: texts per language, lists, language codes.

Each reader reports its problems to a `Reporter` (file:line:column plus a hint) and goes on,
so an admin sees every mistake of a file at once.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from .locales import known_locales
from .located import LocatedDict, Pos, pos_of
from .model import Text
from .problems import Problem, Severity
from .scripts import HINTS, script_problems

GENERIC_HINT = "see docs/flows.md for what this field may hold"
MAX_TEXT = 4096
MAX_BUTTON = 40
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?$")
_ANY_DIGIT = re.compile(r"\d").search  # a digit of any script


@dataclass
class Reporter:
    """Collects problems for one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def error(self, pos: Pos, code: str, message: str, hint: str = "") -> None:
        hint = hint or GENERIC_HINT
        self.problems.append(Problem(self.file, pos.line, pos.column, Severity.ERROR, code,
                                     message, hint))

    def warning(self, pos: Pos, code: str, message: str, hint: str = "") -> None:
        hint = hint or GENERIC_HINT
        self.problems.append(Problem(self.file, pos.line, pos.column, Severity.WARNING, code,
                                     message, hint))

    def unknown_fields(self, data: LocatedDict, allowed: set[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"did you mean `{close[0]}`?" if close else "allowed: " + ", ".join(
                    sorted(allowed))
                self.error(pos_of(data, key), "unknown-field",
                           f"unknown field `{key}` in {where}", hint)

    def require(self, data: LocatedDict, names: tuple[str, ...], where: str) -> bool:
        missing = [name for name in names if name not in data]
        for name in missing:
            self.error(data.pos, "missing-field", f"{where} has no `{name}`",
                       f"add `{name}:` (see docs/flows.md)")
        return not missing


_PLAIN = (str, int, float)


class TextReader:
    """Reads per-language texts and checks their languages and lengths."""

    def __init__(self, report: Reporter, languages: tuple[str, ...], texts: list,
                 translated: list | None = None) -> None:
        self.report, self.languages, self.texts = report, languages, texts
        # texts in two languages or more with a digit, for `same_numbers` (None: not kept)
        self.translated = translated

    def read(self, container: Any, key: str, *, limit: int = MAX_TEXT,
             what: str = "text", complete: bool = True) -> Text | None:
        """The text at `container[key]`; `complete=False` leaves a missing language to the
        caller, which reports it as an error of its own (a caution, for instance)."""
        value = container.get(key)
        languages = self.languages
        fallback = languages[0] if languages else "en"
        stray = False  # a language the flow does not have (reported below)
        if isinstance(value, _PLAIN) and not isinstance(value, bool):
            by_lang = {fallback: str(value)}
        elif isinstance(value, dict) and value:
            by_lang = {}
            for lang, text in value.items():
                if text.__class__ is not str or (languages and lang not in languages):
                    if not isinstance(text, _PLAIN) or isinstance(text, bool):
                        self.report.error(pos_of(value, lang), "bad-text",
                                          f"`{lang}:` in `{key}` is not plain text",
                                          'put the text in quotes "…": an unquoted ": " or "#" '
                                          "changes its meaning" if not isinstance(text, bool)
                                          else "quote it: YAML reads unquoted yes/no/on/off "
                                          "as a switch")
                        continue
                    if languages and lang not in languages:
                        stray = True
                        self.report.error(pos_of(value, lang), "unknown-language",
                                          f"`{lang}` is not one of this flow's languages",
                                          "add it to `languages:` or fix the code")
                by_lang[lang] = str(text)
        else:
            hint = ('quote it: YAML reads unquoted yes/no/on/off/true/false as a switch'
                    if isinstance(value, bool) else 'write `key: text` or `key: {ru: …, kk: …}`')
            self.report.error(pos_of(container, key), "bad-text",
                              f"`{key}` must be a text or a map language -> text", hint)
            return None
        keep = self.translated is not None and len(by_lang) > 1
        numbered = braced = False
        for lang, text in by_lang.items():  # one pass: lengths, answers inserted, numbers
            if len(text) > limit or not text.strip():
                self._length(container, key, lang, text, limit, what)
            if not text.isascii():
                self._scripts(container, value, key, lang, text)
            if "{" in text:
                braced = True
            if keep and not numbered and _ANY_DIGIT(text) is not None:
                numbered = True
        if complete and (len(by_lang) < len(languages) or stray):
            for lang in languages:
                if lang not in by_lang:
                    self.report.warning(pos_of(container, key), "missing-translation",
                                        f"`{key}` has no `{lang}` translation",
                                        f"add `{lang}:`; until then people see the "
                                        f"`{fallback}` text")
        text_obj = Text(by_lang, fallback)
        if numbered and self.translated is not None:
            # only texts with numbers are compared (same_numbers); the positions of their
            # languages are kept, not the YAML tree around them
            named = container.get("id")
            self.translated.append((text_obj, getattr(value, "key_marks", {}), key,
                                    named if isinstance(named, str) else None))
        if braced:  # only texts that may insert answers need checking later
            self.texts.append((text_obj, pos_of(container, key)))
        return text_obj

    def _scripts(self, container: Any, value: Any, key: str, lang: str, text: str) -> None:
        """Latin and Cyrillic kept apart (engine/scripts.py)."""
        for severity, code, message in script_problems(lang, text):
            pos = pos_of(value, lang) if isinstance(value, dict) else pos_of(container, key)
            say = self.report.error if severity == "error" else self.report.warning
            say(pos, code, f"{message} in `{key}`", HINTS[code])

    def _length(self, container: Any, key: str, lang: str, text: str, limit: int,
                what: str) -> None:
        pos = pos_of(container, key)
        if not text.strip():
            self.report.error(pos, "empty-text", f"the `{lang}` {what} of `{key}` is empty")
        else:
            code = "text-too-long" if limit == MAX_TEXT else "label-too-long"
            self.report.error(pos, code, f"the `{lang}` {what} of `{key}` has {len(text)} "
                              f"characters; at most {limit} fit",
                              "shorten it" if limit != MAX_TEXT else "split it into steps")


def string_list(report: Reporter, data: LocatedDict, key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report.error(pos_of(data, key), "bad-field", f"`{key}` must be a list of texts",
                     f"write `{key}: [a, b]`")
        return ()
    return tuple(value)


def read_languages(report: Reporter, data: LocatedDict) -> tuple[str, ...]:
    languages = string_list(report, data, "languages")
    if "languages" in data and not languages:
        report.error(pos_of(data, "languages"), "bad-field", "`languages` is empty",
                     "list at least one language, e.g. `languages: [ru]`")
    for lang in languages:
        if not LANG_PATTERN.match(lang) or lang not in known_locales():
            close = difflib.get_close_matches(lang, sorted(known_locales()), n=1)
            report.error(pos_of(data, "languages"), "unknown-language",
                         f"`{lang}` is not a language code",
                         f"did you mean `{close[0]}`? Codes are CLDR's, as Babel knows them"
                         if close else "use codes like ru, kk, zh_Hans, fil")
    return languages
