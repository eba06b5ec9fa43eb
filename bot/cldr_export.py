"""Export the CLDR data the engine needs to read typed answers, from Babel, into a JSON file.

The engine stays pure (no Babel import: tests/engine/test_purity.py), yet must read dates and
numbers the way each language writes them. So this script, outside the engine, extracts what it
needs from Babel's CLDR data into `bot/engine/cldr.json`; nothing in that file is typed by hand.
A test regenerates it and compares, so a Babel upgrade or an edit here cannot drift silently.

    python -m bot.cldr_export            # rewrite bot/engine/cldr.json
    python -m bot.cldr_export --check    # exit 1 when the file is not what Babel gives

Per language: its script (`Latn`, `Cyrl`: the checker's `mixed-script` rule); the short,
medium and long date patterns; the month names in every form
(format and stand-alone, wide and abbreviated: `марта` and `март`), gathered from every
regional variant of the language in CLDR (so Arabic has the Levantine `آذار` of ar_LB/ar_SY
as well as `مارس`); the decimal and group symbols. Also every locale identifier Babel knows,
so the checker can tell a language code from a typo without importing Babel.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import babel
from babel import Locale, localedata, numbers
from babel.core import get_global, parse_locale

OUTPUT = Path(__file__).resolve().parent / "engine" / "cldr.json"

# Languages whose people the help desk serves (flows and UI), and the languages of people who
# often need such help; add one here and re-run to teach the engine its dates and numbers.
LANGUAGES = (
    "en", "fr", "ru", "kk", "ky", "ar", "zh_Hans", "wo",  # shipped
    "am", "bn", "ne", "si", "fil", "uz",  # flow translations being added
    "uz_Cyrl", "ff", "tg",  # Uzbek in Cyrillic (south Kyrgyzstan), Pulaar (Senegal), Tajik
    "uk", "tk", "fa", "ps", "ur", "hi", "tr", "es", "pt", "so", "ti", "sw", "ha",
)
# The CLDR locale a bare language code stands for. "en" alone is American English (M/d/y);
# people writing English to a help desk in Lebanon or Kenya write the day first, as CLDR's
# world English (en_001) does.
REPRESENTATIVE = {"en": "en_001"}
FORMS = (("format", "wide"), ("format", "abbreviated"), ("stand-alone", "wide"),
         ("stand-alone", "abbreviated"))


def _variants(lang: str) -> list[str]:
    """The language's own locale and its regional variants (ar -> ar, ar_AE ... ar_YE)."""
    base = Locale.parse(lang)
    found = [lang]
    for identifier in sorted(localedata.locale_identifiers()):
        if identifier == lang:
            continue
        try:
            other = Locale.parse(identifier)
        except (ValueError, TypeError):  # pragma: no cover - Babel lists only valid ids
            continue
        if other.language == base.language and (other.script or base.script) == base.script:
            found.append(identifier)
    return found


def _month_names(lang: str) -> dict[str, int]:
    """Every written form of each month, lower-cased, without a trailing dot; a name that
    means different months in two variants (none today) is left out rather than guessed."""
    names: dict[str, int] = {}
    clashes: set[str] = set()
    for identifier in _variants(lang):
        months = Locale.parse(identifier).months
        for context, width in FORMS:
            for number, name in months[context][width].items():
                key = " ".join(name.casefold().rstrip(".").split())  # no-break spaces too
                if not key or any(char.isdigit() for char in key):
                    continue  # "3月": a number with a sign, read as such by the parser
                if names.get(key, number) != number:
                    clashes.add(key)
                names[key] = number
    return {name: month for name, month in sorted(names.items()) if name not in clashes}


def script(lang: str) -> str:
    """The script the language is written in (ISO 15924, `Latn`, `Cyrl`): the code's own
    (`uz_Cyrl`), else CLDR's likely subtags (`uz` -> `uz_Latn_UZ`); "" when CLDR has none."""
    locale = Locale.parse(lang)
    if locale.script:
        return locale.script
    likely = get_global("likely_subtags").get(locale.language)
    return (parse_locale(likely)[2] or "") if likely else ""  # Locale.parse drops Cyrl in ru


def language_data(lang: str) -> dict[str, object]:
    locale = Locale.parse(REPRESENTATIVE.get(lang, lang))
    return {
        "script": script(lang),
        "locale": str(locale),
        "short": locale.date_formats["short"].pattern,
        "medium": locale.date_formats["medium"].pattern,
        "long": locale.date_formats["long"].pattern,
        "decimal": numbers.get_decimal_symbol(locale),
        "group": numbers.get_group_symbol(locale),
        "months": _month_names(lang),
    }


def build() -> str:
    data = {
        "generated_by": "python -m bot.cldr_export",
        "babel_version": babel.__version__,
        "languages": {lang: language_data(lang) for lang in LANGUAGES},
        "known_locales": sorted(localedata.locale_identifiers()),
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.cldr_export", description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the file differs from Babel's data")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        same = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print(f"{OUTPUT}: {'up to date' if same else 'out of date; run python -m bot.cldr_export'}")
        return 0 if same else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
