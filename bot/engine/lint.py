"""Warnings for flows read by people with little schooling (thresholds in docs/flows.md).

A flow can be valid and still lose its readers: a wall of text, a choice with no way to say
"I don't know", a question about a date or a sum with no example of how to write it, or an
example written the way another country writes dates. None of these stops a flow from
loading; each is a warning with the place to edit and what to do.
"""

from __future__ import annotations

import re
from functools import cache

from .fields import Reporter
from .locales import language, pattern_order
from .model import Flow, Step
from .numbers import ascii_digits

MAX_MESSAGE = 500  # characters a person reads in one message without giving up
WAY_OUT_VALUES = frozenset({"other", "unknown", "dont_know", "not_sure", "none", "unsure",
                            "help", "idk", "no_idea", "neither"})
# Words of an "I don't know" / "other" / "none" option, per language (casefolded, matched
# inside the label); data about languages, as inputs.YES_NO_WORDS.
WAY_OUT_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("don't know", "do not know", "not sure", "other", "none", "neither", "unsure"),
    "fr": ("je ne sais pas", "sais pas", "pas sûr", "autre", "aucun", "aucune", "ni l'un"),
    "ru": ("не знаю", "не уверен", "другое", "другой", "другая", "ничего", "нет ни", "иное"),
    "kk": ("білмеймін", "сенімді емеспін", "басқа", "ешқайсысы", "ештеңе"),
    "ky": ("билбейм", "ишенбейм", "башка", "эч бири", "эч нерсе"),
    "ar": ("لا أعرف", "لا اعرف", "لا أدري", "غير متأكد", "غير ذلك", "أخرى", "آخر", "لا شيء",
           "لا هذا ولا ذاك"),
    "zh_Hans": ("不知道", "不清楚", "不确定", "其他", "其它", "都没有", "都不是"),
    "wo": ("xamuma", "xawma", "yeneen", "dara", "menuma wóor"),
}
_DIGIT = re.compile(r"\d")
NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,4})([./\-])(\d{1,2})\2(\d{1,4})(?!\d)")


def lint_flow(flow: Flow, report: Reporter) -> None:
    for step in flow.steps.values():
        _long_texts(step, report)
        if step.kind == "choose" and not step.exhaustive and not _has_way_out(flow, step):
            report.warning(step.pos, "no-way-out",
                           f"the choice `{step.id}` has no \"I don't know\" or \"other\" option",
                           "add one (it can lead to a volunteer), or write `exhaustive: true` "
                           "if the options really cover every case")
        if step.kind == "ask" and step.input in {"date", "number", "integer"}:
            _examples(flow, step, report)


def _long_texts(step: Step, report: Reporter) -> None:
    if step.text is None:
        return
    long = sorted(lang for lang, text in step.text.by_lang.items() if len(text) > MAX_MESSAGE)
    if long:
        report.warning(step.pos, "long-message",
                       f"the text of `{step.id}` is longer than {MAX_MESSAGE} characters in "
                       f"{', '.join(long)}",
                       "split it into several `say` steps: long messages are not read")


@cache
def _way_out_words(languages: tuple[str, ...]) -> re.Pattern[str]:
    words = {word for lang in (*languages, "en") for word in WAY_OUT_WORDS.get(lang, ())}
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


def _has_way_out(flow: Flow, step: Step) -> bool:
    words = _way_out_words(flow.languages)
    for option in step.options:
        if str(option.value).casefold() in WAY_OUT_VALUES:
            return True
        target = flow.steps.get(option.next)
        if target is not None and target.kind == "escalate":
            return True
        for text in option.label.by_lang.values():
            if words.search(text.casefold().replace("’", "'")):
                return True
    return False


def _examples(flow: Flow, step: Step, report: Reporter) -> None:
    if step.text is None:
        return
    missing = []
    for lang, text in step.text.by_lang.items():
        if _DIGIT.search(text) is None:  # any script's digits count as an example
            missing.append(lang)
        elif step.input == "date":
            _date_example(step, lang, ascii_digits(text), report)
    if missing:
        what = "a date" if step.input == "date" else "a number"
        report.warning(step.pos, "no-example",
                       f"the question `{step.id}` asks for {what} with no example in "
                       f"{', '.join(sorted(missing))}",
                       "add one in the text, written as people there write it "
                       "(see Warnings in docs/flows.md)")


def usual_date(lang: str) -> str:
    """5 March 2026 in the language's CLDR short pattern with a four-digit year."""
    data = language(lang)
    pattern = data.patterns[0] if data.patterns else "dd.MM.y"
    fields = {"d": "5", "dd": "05", "M": "3", "MM": "03", "y": "2026", "yy": "2026",
              "yyyy": "2026"}
    return re.sub(r"'[^']*'|d+|M+|y+|\u200f",
                  lambda m: fields.get(m.group(0), "" if m.group(0) == "\u200f"
                                       else m.group(0).strip("'")), pattern)


def _date_example(step: Step, lang: str, text: str, report: Reporter) -> None:
    """A numeric date example must have the order and the separator of the language's short
    or medium pattern (ISO 2026-03-05 too where the year comes first)."""
    data = language(lang)
    if not data.patterns:
        return
    allowed = set()
    for pattern in data.patterns:
        separators = re.findall(r"[./\-]", pattern.replace("\u200f", ""))
        if separators:
            allowed.add((pattern_order(pattern), separators[0]))
    if data.order.startswith("y"):
        allowed.add(("ymd", "-"))
    for match in NUMERIC_DATE.finditer(text):
        first, separator, _middle, last = match.groups()
        if len(first) == 4:
            order = "ymd"
        elif data.order == "mdy":
            order = "mdy"
        else:
            order = "dmy" if len(last) in (2, 4) else data.order
        if (order, separator) not in allowed:
            report.warning(step.pos, "date-format",
                           f"the `{lang}` example {match.group(0)} in `{step.id}` is not how "
                           f"dates are written in this language",
                           f"write it like {usual_date(lang)}, the usual way in CLDR")
            return
