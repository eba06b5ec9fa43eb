"""The procedures list is alphabetical as people read it, accents and case aside."""

from bot.tg.menus import sort_key


def test_accents_and_case_do_not_push_titles_to_the_end() -> None:
    titles = ["Zèbre", "École", "ecole maternelle", "Acte de naissance", "Établir"]
    assert sorted(titles, key=sort_key) == [
        "Acte de naissance", "École", "ecole maternelle", "Établir", "Zèbre"]
    assert sorted(["Ясли", "Ёлка", "Аким"], key=sort_key) == ["Аким", "Ёлка", "Ясли"]
