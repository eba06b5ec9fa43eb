"""Finding a procedure by what people write, on the shipped flows (bot.services.procedure_search).

Each phrasing is written the way people type it: inflected, without accents or Arabic vowel
marks, on a Russian keyboard for Kazakh and Kyrgyz, with the abbreviations in use, Chinese
without spaces. The expected procedure must come first among the person's country's ones.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.engine import FlowSet, load_flows
from bot.engine.model import Flow, Text
from bot.services.procedure_search import find_procedures
from bot.services.search_words import fold, words

FLOWS = Path(__file__).resolve().parents[1] / "flows"

# (country, what the person types, the procedure that must come first)
PHRASINGS = [
    # Kazakhstan, ru and kk
    ("KZ", "свидетельство о рождении ребёнка", "kz-birth"),
    ("KZ", "как зарегистрировать рождение ребенка", "kz-birth"),
    ("KZ", "родился ребенок что делать", "kz-birth"),
    ("KZ", "баланың туу туралы куәлігі", "kz-birth"),
    ("KZ", "АСП", "kz-asp"),
    ("KZ", "как получить адресную социальную помощь", "kz-asp"),
    ("KZ", "атаулы комек", "kz-asp"),  # a Russian keyboard: о for ө
    ("KZ", "оформить инвалидность", "kz-disability"),
    ("KZ", "группу инвалидности", "kz-disability"),
    ("KZ", "пособие по инвалидности", "kz-disability-allowance"),
    ("KZ", "мугедектик бойынша жардемакы", "kz-disability-allowance"),
    ("KZ", "я кандас, нужен вид на жительство", "kz-stateless"),
    ("KZ", "у меня нет гражданства", "kz-stateless"),
    # Kyrgyzstan, ky ru uz
    ("KG", "ЦОН паспорт", "kg-id-card"),
    ("KG", "потеряла паспорт", "kg-id-card"),
    ("KG", "паспортумду жоготтум", "kg-id-card"),
    ("KG", "pasportimni yo'qotdim", "kg-id-card"),
    ("KG", "прописаться в Бишкеке", "kg-propiska"),
    ("KG", "временную регистрацию", "kg-propiska"),
    ("KG", "туулгандыгы тууралуу күбөлүк", "kg-birth"),
    ("KG", "bolam tug'ilganlik guvohnomasi", "kg-birth"),
    ("KG", "пособия на детей уй-булого комок", "kg-benefits"),
    ("KG", "nogironlik nafaqasi", "kg-benefits"),
    ("KG", "советский паспорт, нет гражданства", "kg-stateless"),
    ("KG", "паспортимни йўқотдим", "kg-id-card"),  # Uzbek in Cyrillic
    ("KG", "туғилганлик гувоҳномаси", "kg-birth"),
    ("KG", "ногиронлик нафакаси", "kg-benefits"),  # к for қ
    # Senegal, fr and wo
    ("SN", "carte d'identite", "sn-id-card"),
    ("SN", "j'ai perdu ma carte d identite", "sn-id-card"),
    ("SN", "CNI", "sn-id-card"),
    ("SN", "CMU", "sn-health"),
    ("SN", "mutuelle de sante", "sn-health"),
    ("SN", "declarer la naissance de mon bebe", "sn-birth"),
    ("SN", "extrait de naissance", "sn-birth"),
    ("SN", "yegle juddu xale bi", "sn-birth"),
    ("SN", "bourse familiale", "sn-family-grant"),
    ("SN", "xaalis njaboot", "sn-family-grant"),
    ("SN", "kart d'identite bu reer", "sn-id-card"),  # Wolof without its accents
    ("SN", "winndinde jibinannde", "sn-birth"),  # Pulaar
    ("SN", "cellal CMU", "sn-health"),
    # Lebanon, ar en fr and the domestic workers' languages
    ("LB", "تسجيل ولادة طفلي", "lb-birth-syrian"),
    ("LB", "شهادة الميلاد", "lb-birth-syrian"),
    ("LB", "تَجْدِيدُ الإِقَامَةِ", "lb-residency-syrian"),  # with vowel marks
    ("LB", "اقامة سوري", "lb-residency-syrian"),  # without hamza
    ("LB", "renew my residency", "lb-residency-syrian"),
    ("LB", "renouvellement titre de sejour", "lb-residency-syrian"),
    ("LB", "عقد الزواج في المحكمة", "lb-marriage-sharia"),
    ("LB", "mariage au tribunal", "lb-marriage-sharia"),
    ("LB", "my employer took my passport", "lb-domestic-workers"),
    ("LB", "salaire impayé", "lb-domestic-workers"),
    ("LB", "kinuha ng amo ang pasaporte ko", "lb-domestic-workers"),
    ("LB", "العودة إلى سوريا", "lb-return-syria"),
    ("LB", "go back to Syria", "lb-return-syria"),
    # China, zh_Hans and en
    ("CN", "低保", "cn-dibao"),
    ("CN", "低保怎么申请", "cn-dibao"),
    ("CN", "我想给孩子办出生登记", "cn-birth"),
    ("CN", "新生儿上户口", "cn-birth"),
    ("CN", "办残疾证需要什么", "cn-disability"),
    ("CN", "外地人办居住证", "cn-residence-permit"),
    ("CN", "我是黑户", "cn-no-hukou"),
    ("CN", "minimum living allowance", "cn-dibao"),
    # the procedures of issue 17 §3, in the languages of the people they serve
    ("CN", "领养的孩子没有户口", "cn-no-hukou"),
    ("KZ", "регистрация мигранта", "kz-labour-migrant"),
    ("KZ", "muhojir ro'yxatdan o'tish", "kz-labour-migrant"),
    ("KZ", "бақайдгирии муҳоҷир", "kz-labour-migrant"),
    ("KG", "паспортни йўқотдим", "kg-id-card"),
    ("LB", "تسجيل ولادة طفل عاملة منزل", "lb-mdw-birth"),
    ("LB", "kapanganakan ng anak ko", "lb-mdw-birth"),
    ("SN", "jugement d'autorisation d'inscription", "sn-late-birth"),
    ("SN", "audience foraine", "sn-late-birth"),
]


def test_the_stemmer_is_installed() -> None:
    """First, so that a virtualenv older than the dependency says what to do."""
    assert importlib.util.find_spec("snowballstemmer") is not None, (
        "snowballstemmer is missing: run `pip install -e '.[dev]'` (pyproject.toml lists it)")


@pytest.fixture(scope="module")
def flows() -> FlowSet:
    result = load_flows(FLOWS)
    assert result.ok, "\n".join(map(str, result.errors))
    return result.flows


@pytest.mark.parametrize(("country", "typed", "expected"), PHRASINGS)
def test_people_s_phrasings_find_their_procedure(flows: FlowSet, country: str, typed: str,
                                                 expected: str) -> None:
    if expected not in flows.flows:
        pytest.skip(f"{expected} is not shipped")
    found = find_procedures(flows, typed, country)
    assert not found.elsewhere
    assert found.flow_ids[:1] == (expected,), f"{typed!r} found {found.flow_ids}"


def test_only_the_person_s_country_is_offered_when_it_has_a_match(flows: FlowSet) -> None:
    """ЦОН and паспорт are Kyrgyz keywords, but a person in Lebanon asking about a passport
    is offered Lebanon's procedures only."""
    found = find_procedures(flows, "passport ЦОН", "LB")
    assert found.flow_ids and not found.elsewhere
    assert all(flows.flows[flow_id].country == "LB" for flow_id in found.flow_ids)
    assert found.flow_ids[0] == "lb-domestic-workers"


def test_other_countries_are_offered_only_when_nothing_matches_at_home(flows: FlowSet) -> None:
    found = find_procedures(flows, "低保", "SN")
    assert found.elsewhere
    assert found.flow_ids[0] == "cn-dibao"
    assert find_procedures(flows, "低保", None) == find_procedures(flows, "低保", "CN")


def test_nothing_is_offered_for_words_that_say_nothing(flows: FlowSet) -> None:
    for typed in ("как мне быть", "hello", "???", "", "comment faire"):
        assert find_procedures(flows, typed, "KZ").flow_ids == (), typed


def test_spelling_is_folded_the_way_keyboards_differ() -> None:
    assert words("Carte d’Identité") == words("carte d'identite")
    assert fold("ребёнка") == "ребенка"
    assert fold("Мүгедектік жәрдемақы") == "мугедектик жардемакы"
    assert fold("إِقَامَة") == fold("اقامه") == "اقامه"
    assert fold("й") == "й"  # a letter of its own, not и with a mark
    assert words("tugʻilish tug'ilish tug`ilish") == ("tugilish",) * 3
    assert words("carte d'identité") == ("carte", "d", "identite")
    assert words("我想办低保 CMU") == ("我想办低保", "cmu")
    assert words("नागरिकता प्रमाणपत्र") == ("नागरिकता", "प्रमाणपत्र")  # vowel signs kept


def _flow(flow_id: str, keywords: dict[str, tuple[str, ...]], flat: tuple[str, ...] = ()) -> Flow:
    title = Text({"ru": "Процедура"}, "ru")
    return Flow(id=flow_id, country="TT", languages=("ru",), title=title, description=title,
                sources=(), last_reviewed=None, keywords=flat, start="s", steps={},
                version=flow_id, file=f"{flow_id}.yaml", keywords_by_lang=keywords)


def test_each_keyword_is_read_with_its_language_s_stemmer() -> None:
    """"рождении" and "рождение" share a Russian stem; the old flat list still works."""
    flows = FlowSet({f.id: f for f in [
        _flow("birth", {"ru": ("рождение ребенка",)}),
        _flow("grant", {}, flat=("пособие",)),
    ]})
    assert find_procedures(flows, "о рождении ребёнка", "TT").flow_ids == ("birth",)
    assert find_procedures(flows, "пособия", "TT").flow_ids == ("grant",)
    # three letters or less: only the exact word (no false start)
    assert find_procedures(flows, "пос", "TT").flow_ids == ()
