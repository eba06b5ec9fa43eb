"""Latin and Cyrillic kept apart: the `mixed-script` error and the `foreign-script` warning.

Uzbek is written in two scripts (`uz` Latin, `uz_Cyrl` Cyrillic), Kyrgyzstan's offices write
Russian and Kyrgyz in Cyrillic, and translators copy names across. Two slips follow and both
have shipped ("ЦОНda", «Үй-бүлөгө көмөк» inside Latin Uzbek):

- a word mixing both alphabets (`ЦОНda`, or a Latin `a` inside a Cyrillic word, which looks
  right and is not found by a search): an **error** in any language, because such a word is
  never written on purpose;
- a Cyrillic word in the text of a Latin-script language (`uz`, `ff`, `fr`...): a **warning**;
  write the word in the language's own letters (`TsON`). A word in brackets after it is a gloss
  and is allowed, so people can recognise the sign on the office door: `TsON (ЦОН)`.

The reverse (a Latin word in Cyrillic text) is not warned about: Russian, Kazakh and Kyrgyz
write `Tunduk`, `egov.kz`, `ID`, `SMS` in Latin letters. A language's script comes from CLDR
(`cldr.json`). Pure-ASCII texts are skipped at once, so the check costs almost nothing.
"""

from __future__ import annotations

import re

from .locales import language

_LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_CYRILLIC = "\u0400-\u052f"
MIXED_WORD = re.compile(rf"[{_LATIN}]+[{_CYRILLIC}][{_LATIN}{_CYRILLIC}]*"
                        rf"|[{_CYRILLIC}]+[{_LATIN}][{_LATIN}{_CYRILLIC}]*")
_CYRILLIC_WORD = re.compile(rf"[{_CYRILLIC}][{_CYRILLIC}\-]*")
_GLOSS = re.compile(r"\([^()]*\)")


def script_problems(lang: str, text: str) -> list[tuple[str, str, str]]:
    """(severity, code, message) for each problem of `text` written in `lang`; [] if none."""
    if text.isascii():
        return []
    problems = []
    mixed = MIXED_WORD.search(text)
    if mixed is not None:
        problems.append(("error", "mixed-script",
                         f"the `{lang}` text has a word mixing Latin and Cyrillic letters: "
                         f"«{mixed.group(0)}»"))
    if language(lang).script == "Latn":
        foreign = _CYRILLIC_WORD.search(_GLOSS.sub("", text))
        if foreign is not None and (mixed is None or foreign.group(0) not in mixed.group(0)):
            problems.append(("warning", "foreign-script",
                             f"the `{lang}` text is written in Latin letters but has the "
                             f"Cyrillic word «{foreign.group(0)}»"))
    return problems


HINTS = {
    "mixed-script": "write the whole word in one alphabet (in Latin Uzbek: TsONda, not ЦОНda)",
    "foreign-script": "write it in the language's own letters; a Cyrillic name may follow in "
                      "brackets as a gloss: TsON (ЦОН)",
}
