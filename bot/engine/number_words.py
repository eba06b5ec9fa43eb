"""Small numbers written as words, for `numbers-differ`: "un an", "شهر واحد", "一个月".

Native text writes small numbers as words ("moins d'un an", "أقل من سنة", "满一年前的一个月内");
forcing digits there ("moins de 1 an", "أقل من 1 سنة") reads as a form, not as a person
talking. So when one language has a number in digits that another lacks, a word for that
number in the other language counts as the same number.

CLDR has the spell-out rules (RBNF) for these numbers, but Babel does not ship them, and
they give one citation form, while texts use the feminine, the construct or a classifier
("une", "одну", "一个", "سنتين"). Hence this table: the words for 1 to 12 (and a few round
numbers) as they occur in running text, for the languages the flows are written in. Arabic
also counts a bare singular noun of time as one ("خلال شهر" = within a month) and its dual as
two ("سنتين" = two years): that is how Arabic says them. Chinese numerals count only before a
classifier or a unit (一个月, 两年, 三天), since 一 also starts words such as 一般 and 一起.

The table only excuses a difference: digits in both languages are compared as before, and a
number bigger than the table still has to be written in digits. Some words are also other
words (French "un" is the article, Arabic "شهر" is any month): a missing 1 is then excused
by them, a small loss beside the forced "moins de 1 an" it spares. Arabic "عام" (year) is left
out, being also "general" (بشكل عام).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

_WORDS: dict[str, dict[int, str]] = {
    "en": {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven",
           8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve", 15: "fifteen",
           20: "twenty", 30: "thirty"},
    "fr": {1: "un une", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept",
           8: "huit", 9: "neuf", 10: "dix", 11: "onze", 12: "douze", 15: "quinze",
           20: "vingt", 30: "trente"},
    "ar": {1: "واحد واحدة الواحد الواحدة شهر سنة سنه يوم أسبوع اسبوع ساعة ساعه",
           2: "اثنان اثنين اثنتان اثنتين شهرين شهران سنتين سنتان عامين عامان يومين يومان "
              "أسبوعين اسبوعين ساعتين",
           3: "ثلاث ثلاثة ثلاثه", 4: "أربع أربعة اربع اربعة", 5: "خمس خمسة",
           6: "ست ستة", 7: "سبع سبعة", 8: "ثمان ثماني ثمانية", 9: "تسع تسعة",
           10: "عشر عشرة", 12: "اثني اثنا"},
    "ru": {1: "один одна одно одного одной одну одним одном", 2: "два две двух двум двумя",
           3: "три трёх трех трём трем", 4: "четыре четырёх четырех", 5: "пять пяти",
           6: "шесть шести", 7: "семь семи", 8: "восемь восьми", 9: "девять девяти",
           10: "десять десяти", 12: "двенадцать двенадцати"},
    "kk": {1: "бір", 2: "екі", 3: "үш", 4: "төрт", 5: "бес", 6: "алты", 7: "жеті",
           8: "сегіз", 9: "тоғыз", 10: "он"},
    "ky": {1: "бир", 2: "эки", 3: "үч", 4: "төрт", 5: "беш", 6: "алты", 7: "жети",
           8: "сегиз", 9: "тогуз", 10: "он"},
    "uz": {1: "bir", 2: "ikki", 3: "uch", 4: "toʻrt", 5: "besh", 6: "olti", 7: "yetti",
           8: "sakkiz", 9: "toʻqqiz", 10: "oʻn"},
    "uz_Cyrl": {1: "бир", 2: "икки", 3: "уч", 4: "тўрт", 5: "беш", 6: "олти", 7: "етти",
                8: "саккиз", 9: "тўққиз", 10: "ўн"},
    "tg": {1: "як", 2: "ду", 3: "се", 4: "чор", 5: "панҷ", 6: "шаш", 7: "ҳафт", 8: "ҳашт",
           9: "нӯҳ", 10: "даҳ"},
    "wo": {1: "benn", 2: "ñaar ñaari", 3: "ñett ñetti", 4: "ñeent ñeenti", 5: "juróom juróomi",
           10: "fukk fukki"},
    "ff": {1: "go'o goʼo", 2: "ɗiɗi", 3: "tati", 4: "nay", 5: "joy", 10: "sappo"},
    "am": {1: "አንድ", 2: "ሁለት", 3: "ሶስት ሦስት", 4: "አራት", 5: "አምስት", 6: "ስድስት",
           7: "ሰባት", 8: "ስምንት", 9: "ዘጠኝ", 10: "አስር አሥር"},
    "bn": {1: "এক একটি", 2: "দুই দুটি", 3: "তিন", 4: "চার", 5: "পাঁচ", 6: "ছয়", 7: "সাত",
           8: "আট", 9: "নয়", 10: "দশ"},
    "ne": {1: "एक एउटा", 2: "दुई", 3: "तीन", 4: "चार", 5: "पाँच", 6: "छ", 7: "सात",
           8: "आठ", 9: "नौ", 10: "दस"},
    "si": {1: "එක එක් එකක්", 2: "දෙක දෙකක්", 3: "තුන", 4: "හතර", 5: "පහ", 10: "දහය"},
    "fil": {1: "isa isang", 2: "dalawa dalawang", 3: "tatlo tatlong", 4: "apat na",
            5: "lima limang", 6: "anim na", 7: "pito pitong", 8: "walo walong",
            9: "siyam na", 10: "sampu sampung"},
}
_ZH_NUMERALS = {"一": 1, "壹": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
                "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_ZH = re.compile("(十一|十二|[一壹二两俩三四五六七八九十])"
                 "(?=个|年|周岁|岁|天|日|周|星期|小时|分钟|次|张|份|名|位|本|项|条|种|家|户|人|倍)")
_ARABIC_PROCLITIC = "[وفبلك]?"  # "and", "so", "with", "for", "as" written onto the word


@lru_cache(maxsize=64)
def _pattern(lang: str) -> tuple[re.Pattern[str], dict[str, int]] | None:
    table = _WORDS.get(lang) or _WORDS.get(lang.split("_")[0])
    if table is None:
        return None
    value = {word.casefold(): number for number, words in table.items()
             for word in words.split()}
    alternatives = "|".join(sorted(map(re.escape, value), key=len, reverse=True))
    prefix = _ARABIC_PROCLITIC if lang.split("_")[0] == "ar" else ""
    # a whole word: not inside another (an apostrophe ends a word: d'un, l'une)
    pattern = re.compile(rf"(?<![^\W_]){prefix}({alternatives})(?![^\W_])", re.IGNORECASE)
    return pattern, value


def word_numbers(text: str, lang: str) -> Counter[str]:
    """How many times `text` says each small number as a word in `lang` ("1": 2...)."""
    found: Counter[str] = Counter()
    if lang.split("_")[0] == "zh":
        for match in _ZH.finditer(text):
            found[str(_ZH_NUMERALS[match.group(1)])] += 1
        return found
    compiled = _pattern(lang)
    if compiled is None:
        return found
    pattern, value = compiled
    arabic = lang.split("_")[0] == "ar"
    if arabic:  # vowel marks and the stretching tatweel sit inside words
        text = _ARABIC_MARKS.sub("", text)
    for match in pattern.finditer(text):
        word = match.group(1)
        if arabic and word in _ARABIC_COUNTED and _AFTER_DIGIT.search(text, 0, match.start()):
            continue  # "30 يومًا": the noun counted by a number, not "one day"
        found[str(value[word.casefold()])] += 1
    return found


_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_COUNTED = frozenset(["شهر", "سنة", "سنه", "يوم", "أسبوع", "اسبوع", "ساعة", "ساعه"])
_AFTER_DIGIT = re.compile(r"\d\s*[وفبلك]?$")
