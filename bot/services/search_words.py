"""Words as people type them, made comparable with the words a flow lists.

People write on whatever keyboard they have: without accents ("carte d'identite"), with a
Russian keyboard for Kazakh or Kyrgyz ("комек" for "көмек"), without Arabic vowel marks or
with another form of alef, "е" for "ё", Uzbek "o'" or "o`" for "oʻ". They inflect words
("рождении ребёнка" for "рождение ребенка") and use abbreviations (ЦОН, АСП, CMU, 低保).

`fold` removes what varies between keyboards, `words` cuts a text into folded words (a run of
Chinese or Japanese characters stays one word: they are matched by substring), and `stem`
reduces a word with the Snowball stemmer of its language where one exists (snowballstemmer:
pure Python, maintained by the Snowball project, 30+ languages; Arabic, Russian, French,
English, Nepali among ours). Languages without a stemmer (Kazakh, Kyrgyz, Uzbek, Wolof,
Amharic...) are matched by prefix in `procedure_search`, which suits their suffixing grammar.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import lru_cache
from typing import Any

try:
    import snowballstemmer
except ImportError:  # pragma: no cover - an install older than the dependency (pip install -e .)
    snowballstemmer = None
    logging.getLogger(__name__).warning(
        "snowballstemmer is not installed (pip install -e .): the search matches inflected "
        "words by their beginning only")

# Babel language code (its base part) -> Snowball algorithm
STEMMERS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
    "fa": "persian", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish",
}

# Letters a Russian keyboard lacks, typed as their nearest Russian letter; Arabic letters
# written in several ways; the Wolof eng. Applied after accents are removed.
_LETTERS = str.maketrans({
    "ә": "а", "ө": "о", "ү": "у", "ұ": "у", "қ": "к", "ғ": "г", "ң": "н", "һ": "х",
    "і": "и", "ї": "и", "є": "е", "ў": "у", "ҳ": "х", "ҷ": "ч", "ӣ": "и", "ӯ": "у",
    "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None, "ŋ": "n", "ı": "i", "ß": "ss",
})
_APOSTROPHES = "'ʻʼ‘’`´"  # Uzbek oʻ/gʻ are typed with any of these, or with none
_KEEP = {"й": "й"}  # a letter of its own in Russian, not an и with a mark


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x3040 <= code <= 0x30FF
            or 0x20000 <= code <= 0x2FFFF)


def _strip_marks(char: str) -> str:
    """A Latin, Cyrillic, Greek or Arabic letter without its accents and vowel marks.

    Other scripts (Devanagari, Bengali, Sinhala, Ethiopic...) write vowels as marks: those stay.
    """
    if char in _KEEP:
        return _KEEP[char]
    decomposed = unicodedata.normalize("NFKD", char)
    if len(decomposed) == 1:
        return decomposed
    base = decomposed[0]
    if base < "\u0530" or "\u0600" <= base <= "\u06ff":  # Latin, Greek, Cyrillic, Arabic
        return "".join(c for c in decomposed if not unicodedata.combining(c))
    return char


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, without accents, Arabic vowel marks, or letters a keyboard may lack."""
    text = unicodedata.normalize("NFC", text).casefold()
    folded = "".join(_strip_marks(c) if not c.isascii() else c for c in text)
    # Arabic vowel marks that are characters of their own (not decomposed from a letter)
    folded = "".join(c for c in folded if not ("\u064b" <= c <= "\u065f" or c == "\u0670"))
    return folded.translate(_LETTERS)


def _word_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LNM" and category != "Lm"  # letters, marks, digits


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """The folded words of a text; each run of Chinese or Japanese characters is one word."""
    found: list[str] = []
    current: list[str] = []
    cjk = False
    folded = fold(text)
    for index, char in enumerate(folded):
        if char in _APOSTROPHES:
            # Uzbek oʻ, gʻ: the apostrophe is part of the letter, dropped to match any spelling
            if current and current[-1] in "og" and index + 1 < len(folded) and \
                    folded[index + 1].isalpha():
                continue
            char = " "
        if _word_char(char) and char not in _APOSTROPHES:
            char_cjk = _is_cjk(char)
            if current and char_cjk != cjk:
                found.append("".join(current))
                current = []
            cjk = char_cjk
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return tuple(found)


def is_cjk(word: str) -> bool:
    return bool(word) and _is_cjk(word[0])


@lru_cache(maxsize=64)
def _stemmer(lang: str) -> Any:
    algorithm = STEMMERS.get(lang.split("_")[0])
    if algorithm is None or snowballstemmer is None:
        return None
    return snowballstemmer.stemmer(algorithm)


def stemmed_languages() -> frozenset[str]:
    """The language codes that have a Snowball stemmer."""
    return frozenset(STEMMERS)


@lru_cache(maxsize=16384)
def stem(word: str, lang: str) -> str:
    """The stem of a folded word in `lang`; the word itself where there is no stemmer."""
    stemmer = _stemmer(lang)
    if stemmer is None or is_cjk(word) or word.isdigit():
        return word
    return stemmer.stemWord(word)
