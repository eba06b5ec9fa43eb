"""Anonymous journey events from a real conversation, and /report through the fake Bot API."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest
from chat_driver import Person, unthrottle

from bot.i18n import gettext_for
from bot.services.journey import day_of

Chat = Callable[..., Awaitable[Person]]
ADMIN_ID = 900  # tests/e2e/conftest.py makes this user an admin
TODAY = date.today().isoformat()


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


async def events(person: Person) -> dict[tuple[str, str, str], int]:
    rows = await person.runtime.db.fetchall(
        "SELECT kind, step_id, detail, SUM(n) AS n FROM journey_events GROUP BY 1, 2, 3")
    return {(r["kind"], r["step_id"], r["detail"]): r["n"] for r in rows}


async def test_a_run_is_counted_without_anyone_in_it(chat: Chat) -> None:
    me = await chat(lang="ru", user_id=4242)
    await me.send("/start")
    await me.click("Казахстан")
    await me.click("Регистрация рождения ребёнка")
    await me.click("Нет или не знаю")  # no SMS from 1414: the date question
    await me.send("31.02.2026")  # not a date: asked again
    await me.send((date.today() - timedelta(days=10)).strftime("%d.%m.%Y"))
    await me.send("/back")
    await me.send((date.today() - timedelta(days=10)).strftime("%d.%m.%Y"))
    await me.send("/human")
    counted = await events(me)
    assert counted[("started", "intro", "")] == 1
    assert counted[("reached", "intro", "")] == 1
    assert counted[("reached", "sms", "")] == 1
    assert counted[("answered", "sms", "choice")] == 1
    assert counted[("reached", "birth_date", "")] == 1  # once per run, /back or not
    assert counted[("reached", "parents", "")] == 1
    assert counted[("invalid", "birth_date", "date")] == 1
    assert counted[("answered", "birth_date", "date")] == 2
    assert counted[("back", "parents", "")] == 1
    assert counted[("escalated", "parents", "human")] == 1
    rows = await me.runtime.db.fetchall("SELECT * FROM journey_events")
    assert {r["day"] for r in rows} == {day_of(__import__("time").time())}
    assert {r["country"] for r in rows} == {"KZ"} and {r["lang"] for r in rows} == {"ru"}
    assert not any("4242" in str(tuple(r)) for r in rows)  # nobody's id, anywhere

    await me.send("/forget")
    await me.click(gettext_for("ru")("Yes, erase everything"))
    assert await events(me) == counted  # nothing there was about anyone


async def test_another_procedure_mid_way_counts_the_first_as_left(chat: Chat) -> None:
    me = await chat(lang="ru")
    await me.send("/start")
    await me.click("Казахстан")
    await me.click("Регистрация рождения ребёнка")
    await me.send("/menu")
    await me.click("Адресная социальная помощь (АСП)")
    counted = await events(me)
    assert counted[("abandoned", "sms", "")] == 1  # kz-birth's first question
    assert counted[("started", "intro", "")] == 2


async def test_idle_runs_are_counted_as_left_once(chat: Chat) -> None:
    me = await chat(lang="ru")
    await me.send("/start")
    await me.click("Казахстан")
    await me.click("Регистрация рождения ребёнка")
    await me.click("Нет или не знаю")  # no SMS from 1414: the date question
    scanner = next(w for w in me.runtime.workers if type(w).__name__ == "AbandonScanner")
    assert await scanner.run_once() == 0  # not idle yet
    scanner.after_s = -1  # as if ABANDON_AFTER_HOURS had passed
    assert await scanner.run_once() == 1
    assert await scanner.run_once() == 0
    assert (await events(me))[("abandoned", "birth_date", "")] == 1
    await me.send((date.today() - timedelta(days=10)).strftime("%d.%m.%Y"))
    assert (await events(me))[("returned", "birth_date", "")] == 1


async def seed(person: Person) -> None:
    """A month of anonymous activity: 40 runs of kz-birth, a few small cells among them."""
    async with person.runtime.db.transaction() as tx:
        for kind, step, n in [("started", "intro", 40), ("reached", "intro", 40),
                              ("reached", "birth_date", 38), ("abandoned", "birth_date", 3),
                              ("reached", "parents", 30), ("abandoned", "parents", 12),
                              ("completed", "end_done", 14)]:
            await tx.execute("INSERT INTO journey_events VALUES (?, 'KZ', 'kz-birth', ?, 'ru',"
                             " ?, '', ?)", (TODAY, step, kind, n))
        for result, blockers, n in [("got_it", "[]", 20), ("not_yet", '["travel"]', 3),
                                    ("refused", '["unofficial_fee"]', 15)]:
            for _ in range(n):
                await tx.execute(
                    "INSERT INTO outcome_reports (day, country, flow_id, office_id, lang, source,"
                    " result, blockers) VALUES (?, 'KZ', 'kz-birth', 'con', 'ru', 'followup', ?,"
                    " ?)", (TODAY, result, blockers))


async def test_report_for_an_admin_with_small_cells_hidden(chat: Chat, fake_api) -> None:
    admin = await chat(user_id=ADMIN_ID)
    await seed(admin)
    seen = await admin.send("/report KZ json")
    assert "Preparing the report" in seen.text
    photo = await fake_api.wait_for(lambda c: c.method == "sendPhoto", timeout=20)
    document = next(c for c in fake_api.calls_to(ADMIN_ID) if c.method == "sendDocument")
    assert photo.files["photo"][1].startswith(b"\x89PNG")
    assert document.files["document"][0].endswith(".json")
    report = json.loads(document.files["document"][1])
    assert report["country"] == "KZ" and report["min_count"] == 10
    procedure = next(r for r in report["tables"]["procedures"]["rows"]
                     if r["flow_id"] == "kz-birth")
    assert procedure["started"] == 40 and procedure["completed"] == 14
    steps = {r["step_id"]: r for r in report["tables"]["steps"]["rows"]
             if r["flow_id"] == "kz-birth"}
    assert steps["birth_date"]["abandoned"] is None  # 3: hidden
    # 15 (the total left) - 12 (left at parents) would give the 3 back: one more is hidden
    # (which one depends on the flow's own arithmetic too, see suppression's structure lines)
    assert procedure["abandoned"] is None or steps["parents"]["abandoned"] is None
    followups = report["tables"]["followup_outcomes"]["rows"]
    assert followups[0]["not_yet"] is None  # 3
    assert followups[0]["refused"] is None and followups[0]["got_it"] == 20  # 15: its pair
    assert followups[0]["total"] == 38
    dump = json.dumps(report)
    assert str(ADMIN_ID) not in dump


async def test_report_as_html_and_csv_with_its_dictionary(chat: Chat, fake_api) -> None:
    admin = await chat(user_id=ADMIN_ID, lang="fr")
    await seed(admin)
    await admin.send("/report csv")
    await fake_api.wait_for(lambda c: c.method == "sendPhoto", timeout=20)
    document = next(c for c in fake_api.calls_to(ADMIN_ID) if c.method == "sendDocument")
    archive = zipfile.ZipFile(io.BytesIO(document.files["document"][1]))
    assert {"procedures.csv", "steps.csv", "dictionary.csv", "README.txt"} <= set(
        archive.namelist())
    dictionary = archive.read("dictionary.csv").decode("utf-8-sig")
    assert "steps.csv,abandoned," in dictionary
    assert ",c," in archive.read("steps.csv").decode("utf-8-sig")

    fake_api.calls.clear()
    await admin.send("/report")
    await fake_api.wait_for(lambda c: c.method == "sendPhoto", timeout=20)
    document = next(c for c in fake_api.calls_to(ADMIN_ID) if c.method == "sendDocument")
    page = document.files["document"][1].decode()
    assert '<meta name="viewport"' in page and "<svg" in page and 'lang="fr"' in page
    assert "Enregistrement de la naissance" in page or "kz-birth" in page


async def test_report_refused_to_people_who_are_not_admins(chat: Chat, fake_api) -> None:
    me = await chat(user_id=42)
    await seed(me)
    seen = await me.send("/report KZ")
    assert seen.texts == ["This command is for admins only."]
    seen = await me.send("/report 2026-13-45")
    assert seen.texts == ["This command is for admins only."]
    assert not [c for c in fake_api.calls if c.method in ("sendDocument", "sendPhoto")]


async def test_report_usage_error_for_a_bad_date(chat: Chat) -> None:
    admin = await chat(user_id=ADMIN_ID)
    seen = await admin.send("/report 2026-13-45")
    assert "Usage: /report" in seen.text and "YYYY-MM-DD" in seen.text
