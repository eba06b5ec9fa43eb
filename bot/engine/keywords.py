"""The `keywords:` of a flow: the words people type when they look for this procedure.

Either a list for every language (the first format, still accepted):

    keywords: [birth, туу, рождение]

or a list per language, written as people of that language write (inflected forms, the
abbreviations they use, words without accents are all fine; the search also folds them):

    keywords:
      ru: [рождение ребенка, свидетельство о рождении, ЗАГС, ЦОН]
      kk: [бала туу, туу туралы куәлік, ХҚКО]

The language says which stemmer reads the words (`bot/services/search_words.py`). A language
need not be one of the flow's: English keywords help an English speaker find a flow written
in Kyrgyz. A key `any` holds words of no particular language (numbers, names of offices).
"""

from __future__ import annotations

import difflib

from .fields import LANG_PATTERN, Reporter
from .locales import known_locales
from .located import LocatedDict, pos_of

ANY = "any"  # keywords of no particular language (and the whole flat list)


def parse_keywords(report: Reporter, data: LocatedDict) -> dict[str, tuple[str, ...]]:
    """`keywords` as language -> words (`any` for a flat list); problems go to `report`."""
    value = data.get("keywords")
    if value is None:
        return {}
    if isinstance(value, list):
        words = _texts(report, data, "keywords", value)
        return {ANY: words} if words else {}
    if not isinstance(value, LocatedDict):
        report.error(pos_of(data, "keywords"), "bad-field",
                     "`keywords` must be a list of texts, or a list per language",
                     "write `keywords: [a, b]` or `keywords: {ru: [а, б], kk: [...]}`")
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for lang, words in value.items():
        lang = str(lang)
        if lang != ANY and (not LANG_PATTERN.match(lang) or lang not in known_locales()):
            close = difflib.get_close_matches(lang, sorted(known_locales()), n=1)
            report.error(pos_of(value, lang), "unknown-language",
                         f"`{lang}` in `keywords` is not a language code",
                         f"did you mean `{close[0]}`?" if close else
                         f"use a code like ru, kk, zh_Hans, or `{ANY}` for any language")
            continue
        if not isinstance(words, list):
            report.error(pos_of(value, lang), "bad-field",
                         f"`keywords` in `{lang}` must be a list of texts",
                         f"write `{lang}: [a, b]`")
            continue
        listed = _texts(report, value, lang, words)
        if listed:
            found[lang] = listed
    return found


def _texts(report: Reporter, container: LocatedDict, key: str, words: list) -> tuple[str, ...]:
    kept = []
    for index, word in enumerate(words):
        if isinstance(word, bool) or not isinstance(word, str | int | float):
            report.error(pos_of(words, index), "bad-field",
                         f"a keyword in `{key}` must be a text",
                         "put it in quotes \"…\" (YAML reads unquoted yes/no as a switch)")
            continue
        if str(word).strip():
            kept.append(str(word).strip())
    return tuple(kept)


def flat(by_lang: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every keyword once, whatever its language (what `Flow.keywords` has always held)."""
    return tuple(dict.fromkeys(word for words in by_lang.values() for word in words))
