"""Finding a procedure from what a person writes, for the bot and the console alike.

People type their need ("свидетельство о рождении ребёнка", "carte d'identite perdue",
"CMU", "低保怎么申请") rather than press buttons. A flow is found through its `keywords:` (per
language, bot/engine/keywords.py) and its title: a typed word matches a listed word when
both are the same once folded (accents, Arabic marks, keyboard letters: `search_words`),
when the Snowball stemmer of the listed word's language gives both the same stem, or when one
is the start of the other up to a last letter (the suffixes of Kazakh, Kyrgyz, Uzbek, Wolof,
which have no stemmer, and the stems a stemmer leaves apart, as ребенк/ребенок). Words of
three letters or less (ЦОН, АСП, CMU) match only exactly. Chinese is matched by substring.

Only the person's own country is searched, unless nothing matches there: a person in Lebanon
must not be offered a Kyrgyz procedure because its keywords share a word with the question.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bot.engine.keywords import ANY
from bot.engine.model import Flow, FlowSet

from .search_words import fold, is_cjk, stem, stemmed_languages, words

RESULTS = 5
KEYWORD, TITLE = 3.0, 1.0  # a listed keyword says more than a word of the title
SHORT = 3  # words this short match only exactly (abbreviations, and too many false starts)
MIN_SCORE = 2.0  # one title word alone ("для", "card") is not a reason to offer a procedure

# Words that say nothing about the procedure, as people begin their question (folded).
STOP_WORDS = frozenset(fold(word) for word in """
    как для что мне где это или при так все его еще уже нужно надо хочу можно моя мой моего
    моей меня нет есть если чтобы когда кто какие какой какая помогите помощь
    калай кайда керек қалай қайда қажет мен менин менің
    the and for how what where with get can need want help have has not from this that
    les des une pour comment dans avec est mon mes suis faire que qui quoi sur par pas
    كيف ماذا اريد لدي عندي هل التي الذي على الى إلى عن في من مع
    naka ngir dama begg nga ak ci
""".split())  # noqa: SIM905 (a list literal of 100 words would not be read)


@dataclass(frozen=True)
class Found:
    """What a search found: flow ids, best first. `elsewhere`: nothing matched in the
    person's country, so these are other countries' procedures (say so)."""

    flow_ids: tuple[str, ...]
    elsewhere: bool = False


@dataclass(frozen=True)
class _Term:
    word: str  # folded
    stems: tuple[tuple[str, str], ...]  # (language, stem) for each stemmer that reads it
    weight: float


@dataclass(frozen=True)
class _Index:
    terms: tuple[_Term, ...]
    cjk: tuple[tuple[str, float], ...]  # runs of Chinese characters listed, with weights


_indexes: OrderedDict[tuple[str, str], _Index] = OrderedDict()


def find_procedures(flows: FlowSet, text: str, country: str | None = None,
                    lang: str | None = None, limit: int = RESULTS) -> Found:
    """The procedures that match `text`: the person's country first, others only if none.

    `lang` (the person's language) breaks ties in favour of flows written in it.
    """
    query = [w for w in words(text) if is_cjk(w) or (w not in STOP_WORDS and len(w) > 1)]
    if not query:
        return Found(())
    home = [flow for flow in flows.flows.values() if country is None or flow.country == country]
    found = _ranked(home, query, lang, limit)
    if found or country is None:
        return Found(found)
    others = [flow for flow in flows.flows.values() if flow.country != country]
    return Found(_ranked(others, query, lang, limit), elsewhere=True)


def _ranked(flows: list[Flow], query: list[str], lang: str | None,
            limit: int) -> tuple[str, ...]:
    scored = []
    for flow in flows:
        score = _score(_index(flow), query)
        if score >= MIN_SCORE:
            scored.append((-score, lang is not None and lang not in flow.languages, flow.id))
    if not scored:
        return ()
    best = -min(scored)[0]
    return tuple(flow_id for score, _, flow_id in sorted(scored)
                 if -score >= max(MIN_SCORE, best / 3))[:limit]


def _score(index: _Index, query: list[str]) -> float:
    total = 0.0
    for word in query:
        if is_cjk(word):
            total += sum(weight for run, weight in index.cjk
                         if run in word or (len(word) > 1 and word in run))
            continue
        best = 0.0
        for term in index.terms:
            if term.weight > best and _matches(word, term):
                best = term.weight
        total += best
    return total


def _matches(word: str, term: _Term) -> bool:
    if word == term.word:
        return True
    if len(word) <= SHORT or len(term.word) <= SHORT:
        return False
    if _close(word, term.word):
        return True
    return any(_close(stem(word, lang), stemmed) for lang, stemmed in term.stems)


def _close(a: str, b: str) -> bool:
    """Equal, or one starts the other up to its last letter (4 letters at least in common)."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= shorter - 1


def _index(flow: Flow) -> _Index:
    """The searchable words of a flow, built once per version of its file."""
    key = (flow.id, flow.version)
    index = _indexes.get(key)
    if index is None:
        index = _build(flow)
        _indexes[key] = index
        while len(_indexes) > 2048:
            _indexes.popitem(last=False)
    return index


def _build(flow: Flow) -> _Index:
    terms: dict[str, _Term] = {}
    cjk: dict[str, float] = {}
    stemmed = stemmed_languages()
    sources: list[tuple[str, str, float]] = [
        (lang, text, TITLE) for lang, text in flow.title.by_lang.items()]
    by_lang = flow.keywords_by_lang or ({ANY: flow.keywords} if flow.keywords else {})
    for lang, listed in by_lang.items():
        sources += [(lang, text, KEYWORD) for text in listed]
    for lang, text, weight in sources:
        langs = [*flow.languages, "en"] if lang == ANY else [lang]
        readers = tuple(dict.fromkeys(x for x in langs if x.split("_")[0] in stemmed))
        for word in words(text):
            if is_cjk(word):
                cjk[word] = max(weight, cjk.get(word, 0.0))
                continue
            if word in STOP_WORDS and weight == TITLE:
                continue
            known = terms.get(word)
            if known is not None and known.weight >= weight:
                continue
            stems = tuple((reader, stem(word, reader)) for reader in readers)
            terms[word] = _Term(word, stems, weight)
    return _Index(tuple(terms.values()), tuple(cjk.items()))
