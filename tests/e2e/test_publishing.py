"""Publishing flow changes from Telegram, end to end: the real Application and workers, a real
SQLite file and flows folder, files downloaded through the fake Bot API's getFile."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from chat_driver import SHIPPED_FLOWS, Person, Seen, settle, unthrottle
from fakebotapi import FakeBotAPI

from bot.app import Runtime
from bot.i18n import gettext_for
from bot.storage import Database, volunteers
from bot.tg.publishing.texts import FILE_REFUSALS

_ = gettext_for("en")
ALICE, BOB = 900, 901          # two admins
VOLUNTEER_KZ = 801
FLOW = "cn-birth"
FILE = "birth-registration.yaml"
ORIGINAL_INTRO = "After a baby is born, you register the birth"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(SHIPPED_FLOWS, target)
    return target


async def _checked(runtime: Runtime, timeout: float = 8.0) -> None:
    """Wait until the proposals worker checked every upload and its answers went out."""
    assert runtime.db is not None
    deadline = time.monotonic() + timeout
    while True:
        row = await runtime.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM proposals WHERE status = 'received') AS waiting,"
            " (SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS unsent")
        if row["waiting"] == 0 and row["unsent"] == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"proposals not checked: {dict(row)}")
        await asyncio.sleep(0.02)


async def upload(person: Person, text: str, caption: str | None = None,
                 name: str = FILE) -> Seen:
    mark = len(person.fake.calls)
    update_id = person.fake.document(person.user_id, name, text.encode("utf-8"),
                                     caption=caption)
    await settle(person.runtime, update_id)
    await _checked(person.runtime)
    return Seen([c for c in person.fake.calls[mark:] if c.chat_id == person.user_id])


async def export(person: Person, flow_id: str = FLOW) -> str:
    await person.send(f"/export {flow_id}")
    name, content = person.fake.sent_documents(person.user_id)[-1]
    assert name == FILE
    return content.decode("utf-8")


@pytest.fixture
async def team(start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path
               ) -> tuple[Person, Person, Runtime]:
    runtime = await start_bot(flows_dir=flows, admin_ids=frozenset({ALICE, BOB}))
    assert runtime.db is not None
    async with runtime.db.transaction() as tx:
        await volunteers.upsert(tx, VOLUNTEER_KZ, ("KZ",), ("ru",))
    return Person(fake_api, runtime, ALICE), Person(fake_api, runtime, BOB), runtime


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


async def test_a_file_with_errors_is_answered_with_file_line_and_hint(team: Any) -> None:
    alice, _bob, runtime = team
    exported = await export(alice)
    assert exported.startswith(f"# passerelle: {FLOW} version ")
    broken = exported.replace("next: med_cert", "next: nowhere", 1)
    line = _line_of(broken, "next: nowhere")
    column = broken.splitlines()[line - 1].index("next") + 1

    seen = await upload(alice, broken)

    assert f"{FILE}:{line}:{column}: error: no step `nowhere` in this flow" in seen.text
    assert "nothing was changed" in seen.text
    row = await runtime.db.fetchone("SELECT status FROM proposals")
    assert row["status"] == "invalid"
    assert (runtime.settings.flows_dir / "CN" / FILE).read_text(encoding="utf-8") \
        == exported.split("\n", 1)[1]


async def test_second_admin_publishes_and_people_get_it_at_once(
        team: Any, fake_api: FakeBotAPI) -> None:
    alice, bob, runtime = team
    async with runtime.db.transaction() as tx:
        await tx.execute("INSERT INTO suggestions (volunteer_id, flow_id, step_id, kind, text,"
                         " created_at) VALUES (801, ?, 'intro', 'unclear', 'say it', 0)",
                         (FLOW,))
    person = Person(fake_api, runtime, 42)
    seen = await person.send(f"/start {FLOW}")
    assert ORIGINAL_INTRO in seen.text

    edited = (await export(alice)).replace(ORIGINAL_INTRO, "NEW WORDING. " + ORIGINAL_INTRO)
    seen = await upload(alice, edited, caption="fixes #1")
    assert _("Proposal #{id} for {flow}: the checks pass.").format(id=1, flow=FLOW) in seen.text
    assert "Wording changed in en: intro" in seen.text
    assert "Answers suggestions: #1" in seen.text
    diff_name, diff = fake_api.sent_documents(ALICE)[-1]
    assert diff_name == f"{FLOW}-proposal-1.diff"
    assert b"+      en: NEW WORDING. After a baby" in diff

    seen = await alice.click(_("Ask for review"))
    assert _("Sent to the other admins for review.") in seen.text
    assert fake_api.sent_documents(BOB)[-1][0] == f"{FLOW}-proposal-1.diff"
    # The reviewer sees the author's name (here an admin: Telegram's first name), not an id.
    assert any('From: <a href="tg://user?id=900">User900</a>' in t
               for t in fake_api.texts_to(BOB))
    seen = await bob.click(_("Approve and publish"))
    assert _("Published: {flow} version {version}. People get it from now on.").format(
        flow=FLOW, version=2) in seen.text
    assert any("was approved and published" in t for t in fake_api.texts_to(ALICE))

    seen = await person.send(f"/start {FLOW}")
    assert "NEW WORDING. " + ORIGINAL_INTRO in seen.text
    on_disk = (runtime.settings.flows_dir / "CN" / FILE).read_text(encoding="utf-8")
    assert on_disk == edited.split("\n", 1)[1]  # the version line is not published
    rows = await runtime.db.fetchall("SELECT version, source, author_id, approver_id"
                                     " FROM flow_versions ORDER BY version")
    assert [tuple(r) for r in rows] == [(1, "disk", None, None), (2, "proposal", ALICE, BOB)]
    suggestion = await runtime.db.fetchone("SELECT status, proposal_id FROM suggestions")
    assert tuple(suggestion) == ("published", 1)
    actions = [r["action"] for r in await runtime.db.fetchall(
        "SELECT action FROM audit WHERE action LIKE 'flow_%' ORDER BY id")]
    assert actions == ["flow_exported", "flow_uploaded", "flow_checked",
                       "flow_review_requested", "flow_published"]


async def test_the_author_cannot_approve_their_own_proposal(team: Any) -> None:
    alice, _bob, runtime = team
    edited = (await export(alice)).replace(ORIGINAL_INTRO, "MINE. " + ORIGINAL_INTRO)
    await upload(alice, edited)
    await alice.click(_("Ask for review"))

    seen = await alice.send("/proposals")
    assert f"#1 {FLOW}" in seen.text
    await alice.click(_("Review #{id}").format(id=1))
    seen = await alice.click(_("Approve and publish"))

    assert _("You wrote this proposal: another admin must review it.") in seen.text
    assert "MINE." not in (runtime.settings.flows_dir / "CN" / FILE).read_text("utf-8")
    row = await runtime.db.fetchone("SELECT status FROM proposals")
    assert row["status"] == "pending"
    assert await runtime.db.fetchone(
        "SELECT 1 FROM audit WHERE action = 'flow_self_review_refused' AND actor_id = ?",
        (ALICE,))


async def test_a_proposal_on_an_older_version_is_refused(team: Any,
                                                        fake_api: FakeBotAPI) -> None:
    alice, bob, runtime = team
    base = await export(alice)
    await upload(alice, base.replace(ORIGINAL_INTRO, "ALICE. " + ORIGINAL_INTRO))
    await alice.click(_("Ask for review"))
    from_bob = base.replace("Date of birth", "Birthday")
    await upload(bob, from_bob)
    await bob.click(_("Ask for review"))

    await bob.press(bob.message_with(_("Approve and publish")),
                    "y:ok:1")  # Bob publishes Alice's change: version 2
    message = alice.message_with(_("Approve and publish"))
    seen = await alice.press(message, "y:ok:2")  # Bob's was made on version 1

    assert _("Not published: this proposal was made on an older version of {flow}, and "
             "version {version} is published now.").format(flow=FLOW, version=2) in seen.text
    on_disk = (runtime.settings.flows_dir / "CN" / FILE).read_text(encoding="utf-8")
    assert "ALICE." in on_disk and "Birthday" not in on_disk
    row = await runtime.db.fetchone("SELECT status FROM proposals WHERE id = 2")
    assert row["status"] == "stale"

    seen = await upload(bob, from_bob)  # the same old file again: refused at once
    assert "was made on version 1 of cn-birth, but version 2 is published now" in seen.text


async def test_rollback_restores_the_previous_version_at_once(team: Any,
                                                             fake_api: FakeBotAPI) -> None:
    alice, bob, runtime = team
    volunteer = Person(fake_api, runtime, VOLUNTEER_KZ)
    original = (runtime.settings.flows_dir / "CN" / FILE).read_text(encoding="utf-8")
    await upload(alice, (await export(alice)).replace(ORIGINAL_INTRO, "BAD. " + ORIGINAL_INTRO))
    await alice.click(_("Ask for review"))
    await bob.click(_("Approve and publish"))

    seen = await volunteer.send(f"/rollback {FLOW}")
    assert _("This is for admins, and for volunteers of the procedure's country.") in seen.text
    seen = await bob.send(f"/rollback {FLOW}")

    assert _("Rolled back: {flow} version {restored} is published again (now version "
             "{version}).").format(flow=FLOW, restored=1, version=3) in seen.text
    assert (runtime.settings.flows_dir / "CN" / FILE).read_text(encoding="utf-8") == original
    person = Person(fake_api, runtime, 43)
    seen = await person.send(f"/start {FLOW}")
    assert ORIGINAL_INTRO in seen.text and "BAD." not in seen.text
    assert await runtime.db.fetchone(
        "SELECT 1 FROM audit WHERE action = 'flow_rolled_back' AND actor_id = ?", (BOB,))
    seen = await bob.send(f"/rollback {FLOW}")  # again: back to version 2? no: nothing before 1
    assert _("{flow} has no earlier version to go back to.").format(flow=FLOW) in seen.text


async def test_volunteers_propose_for_their_country_only_and_bombs_are_refused(
        team: Any, fake_api: FakeBotAPI) -> None:
    alice, _bob, runtime = team
    volunteer = Person(fake_api, runtime, VOLUNTEER_KZ)
    seen = await volunteer.send(f"/export {FLOW}")
    assert _("This is for admins, and for volunteers of the procedure's country.") in seen.text
    cn_file = await export(alice)
    seen = await upload(volunteer, cn_file.replace(ORIGINAL_INTRO, "X " + ORIGINAL_INTRO))
    in_russian = gettext_for("ru")  # the volunteer's working language: they never chose one
    assert in_russian(FILE_REFUSALS["other-country"]).format(flow=FLOW, country="CN") \
        in seen.text

    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
        for i in range(8))
    seen = await upload(alice, laughs)
    assert "line 1: anchors and aliases (& and *) are not allowed in flow files" in seen.text

    stranger = Person(fake_api, runtime, 77)
    seen = await upload(stranger, cn_file)
    assert "I can only read text here." in seen.text
    row = await runtime.db.fetchone("SELECT COUNT(*) AS n FROM proposals WHERE author_id = 77")
    assert row["n"] == 0


async def test_an_upload_stored_before_a_restart_is_checked_after_it(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path, tmp_path: Path) -> None:
    runtime = await start_bot(flows_dir=flows, admin_ids=frozenset({ALICE, BOB}))
    await runtime.stop()  # as if the bot stopped after storing the upload, before checking it
    published = (flows / "CN" / FILE).read_text(encoding="utf-8")
    broken = published.replace("next: med_cert", "next: nowhere", 1)
    file_id = fake_api.store_file(broken.encode("utf-8"))
    db = await Database.open(tmp_path / "data" / "bot.sqlite3")  # as another program would
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO proposals (author_id, chat_id, file_id, file_name,"
                         " created_at) VALUES (?, ?, ?, ?, 0)", (ALICE, ALICE, file_id, FILE))
    await db.close()

    runtime = await start_bot(flows_dir=flows, admin_ids=frozenset({ALICE, BOB}))
    await _checked(runtime)

    line = _line_of(broken, "next: nowhere")
    assert any(f"{FILE}:{line}:" in text and "nowhere" in text
               for text in fake_api.texts_to(ALICE))
    assert any(c.method == "getFile" for c in fake_api.calls)


async def test_forget_erases_the_authors_id_from_stored_review_messages(
        team: Any, fake_api: FakeBotAPI) -> None:
    """Issue 18, 12c: reviewers got "From: tg://user?id=…"; the stored copies lose it."""
    _alice, _bob, runtime = team
    volunteer = Person(fake_api, runtime, VOLUNTEER_KZ)
    await volunteer.send("/export kz-birth")
    _name, content = fake_api.sent_documents(VOLUNTEER_KZ)[-1]
    text = content.decode("utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("ru: "))
    edited = text.replace(line, line + " (ред.)", 1)
    await upload(volunteer, edited, name="birth-registration.yaml")
    ru = gettext_for("ru")  # the volunteer reads Russian (the roster's first language)
    await volunteer.click(ru("Ask for review"))
    link = f"tg://user?id={VOLUNTEER_KZ}"
    assert any(link in t for t in fake_api.texts_to(BOB))
    assert await runtime.db.fetchone("SELECT 1 FROM outbox WHERE instr(params, ?) > 0", (link,))

    await volunteer.send("/forget")
    confirm = max(m for (chat, m), msg in fake_api.messages.items() if chat == VOLUNTEER_KZ
                  and "x:yes" in str(msg.get("reply_markup")))
    await volunteer.press(confirm, "x:yes")
    for table, column in (("outbox", "params"), ("inbox", "payload")):
        left = await runtime.db.fetchall(
            f"SELECT 1 FROM {table} WHERE instr({column}, ?) > 0", (link,))
        assert left == [], table
