"""The publishing rules without Telegram: safe uploads, checks, versions, stale, rollback."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.services import privacy, publishing
from bot.services.flow_changes import compare
from bot.services.flow_upload import MAX_UPLOAD_BYTES, UploadRefused, read_upload
from bot.services.library import FlowLibrary
from bot.services.publishing import Refused
from bot.services.roles import Role
from bot.storage import Database
from bot.storage import publishing as store
from bot.storage.volunteers import Volunteer

REPO = Path(__file__).resolve().parents[1]
ALICE, BOB = Role(1, True, None), Role(2, True, None)
KZ_VOLUNTEER = Role(3, False, Volunteer(3, ("KZ",), ("ru",)))
FLOW, FILE = "kz-birth", "KZ/birth-registration.yaml"


@pytest.fixture
def library(tmp_path: Path) -> FlowLibrary:
    shutil.copytree(REPO / "flows", tmp_path / "flows")
    return FlowLibrary.load(tmp_path / "flows")


async def _exported(db: Database, library: FlowLibrary, role: Role = ALICE) -> str:
    async with db.transaction() as tx:
        return (await publishing.export(tx, library, role, FLOW)).text


async def _propose(db: Database, library: FlowLibrary, role: Role, text: str) -> int:
    """Upload, check and send for review, as the Telegram side does; return the id."""
    async with db.transaction() as tx:
        proposal_id = await publishing.receive(tx, role, role.user_id, "f", "x.yaml", None, 10)
    checked = publishing.check_upload(library, role, text.encode(), "x.yaml")
    async with db.transaction() as tx:
        proposal = await store.get(tx, proposal_id)
        await publishing.store_checked(tx, library.directory, proposal, checked)
        if checked.status == "draft":
            await publishing.request_review(tx, role, proposal_id)
    return proposal_id


def test_an_alias_bomb_is_refused_before_anything_is_built() -> None:
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
        for i in range(9))  # 9^10 strings once expanded
    started = time.perf_counter()
    with pytest.raises(UploadRefused) as caught:
        read_upload(laughs.encode())
    assert caught.value.code == "yaml-alias"
    assert time.perf_counter() - started < 5  # generous: a real expansion never finishes


@pytest.mark.parametrize(("data", "code"), [
    (b"id: x\n" + b"#" * MAX_UPLOAD_BYTES, "too-big"),
    ("id: é\n".encode("latin-1"), "not-utf8"),
    (b"id: !!python/object/apply:os.system ['echo hacked']\n", "yaml-tag"),
    (b"id: !!python/name:os.system\n", "yaml-tag"),
    (b"steps: []\n", "no-id"),
    (b"id: [unclosed\n", "yaml-syntax"),
])
def test_unsafe_or_broken_uploads_are_refused(data: bytes, code: str) -> None:
    with pytest.raises(UploadRefused) as caught:
        read_upload(data)
    assert caught.value.code == code


async def test_hand_edits_on_disk_are_recorded_as_their_own_version(
        db: Database, library: FlowLibrary) -> None:
    exported = await _exported(db, library)
    assert exported.startswith(f"# passerelle: {FLOW} version ")
    path = library.directory / FILE
    path.write_text(path.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    await _exported(db, library)
    versions = await store.versions(db, FLOW)
    assert [(v.version, v.source, v.author_id) for v in versions] == [
        (1, "disk", None), (2, "disk", None)]
    assert versions[1].content.endswith("# edited by hand\n")


async def test_publish_stale_and_rollback(db: Database, library: FlowLibrary) -> None:
    base = await _exported(db, library)
    original = (library.directory / FILE).read_text(encoding="utf-8")
    first = await _propose(db, library, KZ_VOLUNTEER, base.replace("  - id: intro", "  - id: intro"
                                                                   "\n    # note", 1))
    second = await _propose(db, library, BOB, base + "# another change\n")

    async with db.transaction() as tx:
        with pytest.raises(Refused) as own:
            await publishing.approve(tx, library, BOB, second)
        assert own.value.code == "own-proposal"
        with pytest.raises(Refused) as volunteer:
            await publishing.approve(tx, library, KZ_VOLUNTEER, second)
        assert volunteer.value.code == "not-allowed"
        assert await publishing.approve(tx, library, ALICE, first) == 2
    assert "# note" in (library.directory / FILE).read_text(encoding="utf-8")
    assert library.flows.get(FLOW).version != (await store.versions(db, FLOW))[0].content_hash

    async with db.transaction() as tx:
        with pytest.raises(Refused) as stale:
            await publishing.approve(tx, library, ALICE, second)
    assert (stale.value.code, stale.value.details["version"]) == ("stale", 2)
    assert (await store.get(db, second)).status == "stale"

    async with db.transaction() as tx:
        done = await publishing.rollback(tx, library, ALICE, FLOW)
    assert (done.restored, done.version) == (1, 3)
    assert (library.directory / FILE).read_text(encoding="utf-8") == original
    async with db.transaction() as tx:  # a second rollback does not bounce back to version 2
        with pytest.raises(Refused) as nothing:
            await publishing.rollback(tx, library, ALICE, FLOW)
    assert nothing.value.code == "no-previous"
    latest = await store.latest_version(db, FLOW)
    assert (latest.source, latest.restores, latest.author_id) == ("rollback", 1, ALICE.user_id)


async def test_an_upload_of_another_country_or_without_change_is_refused(
        db: Database, library: FlowLibrary) -> None:
    base = await _exported(db, library)
    cn = (library.directory / "CN" / "birth-registration.yaml").read_text(encoding="utf-8")
    checked = publishing.check_upload(library, KZ_VOLUNTEER, cn.encode(), "b.yaml")
    assert checked.status == "invalid" and "for CN" in (checked.refusal or "")
    checked = publishing.check_upload(library, ALICE, base.encode(), "b.yaml")
    assert checked.status == "invalid" and "same as the published" in (checked.refusal or "")


async def test_forget_removes_the_admin_from_proposals_versions_and_audit(
        db: Database, library: FlowLibrary) -> None:
    base = await _exported(db, library, BOB)
    first = await _propose(db, library, BOB, base + "# bob's change\n")
    async with db.transaction() as tx:
        await publishing.approve(tx, library, ALICE, first)
        pending = await publishing.receive(tx, BOB, 2, "f", "y.yaml", "#1", 10)
        await privacy.forget(tx, BOB.user_id, BOB.user_id)
    ids = {row[0] for table, cols in (("proposals", "author_id, reviewer_id, chat_id"),
                                      ("flow_versions", "author_id, approver_id"),
                                      ("audit", "actor_id"))
           for row in await db.fetchall(f"SELECT {cols} FROM {table}")}
    assert BOB.user_id not in ids and ALICE.user_id in ids
    assert (await store.get(db, pending)).status == "rejected"


def test_the_summary_tells_structure_from_wording() -> None:
    old = (REPO / "flows" / FILE).read_text(encoding="utf-8")
    new = old.replace("  - id: intro\n", "  - id: hello\n    say: {ru: Привет, kk: Сәлем}\n"
                      "  - id: intro\n", 1)
    changes = compare(old, new)
    assert changes.added == ["hello"] and not changes.removed and not changes.reworded


def test_history_and_diff_commands(tmp_path: Path, library: FlowLibrary,
                                   capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "history.sqlite3"

    async def publish_one() -> None:
        db = await Database.open(path)
        try:
            base = await _exported(db, library)
            first = await _propose(db, library, ALICE, base + "# a visible change\n")
            async with db.transaction() as tx:
                await publishing.approve(tx, library, BOB, first)
        finally:
            await db.close()

    asyncio.run(publish_one())
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.setenv("FLOWS_DIR", str(library.directory))

    assert main(["flows", "history", FLOW]) == 0
    printed = capsys.readouterr().out
    assert f"{FLOW}: 2 versions" in printed
    assert "v2 " in printed and "proposal #1 by 1, approved by 2" in printed
    assert "checker: 0 errors" in printed
    assert main(["flows", "diff", FLOW]) == 0
    assert "+# a visible change" in capsys.readouterr().out
    assert main(["flows", "diff", FLOW, "7"]) == 1


async def test_approval_checks_again_when_other_files_changed(db: Database,
                                                              library: FlowLibrary) -> None:
    base = await _exported(db, library)
    proposal_id = await _propose(db, library, ALICE, base + "# fine when checked\n")
    tests = library.directory / "KZ" / "tests" / "birth-registration.yaml"
    tests.write_text(tests.read_text(encoding="utf-8") + (
        "  - name: added after the check\n    lang: ru\n    steps:\n"
        "      - bot: a sentence this flow never says\n"), encoding="utf-8")

    async with db.transaction() as tx:
        with pytest.raises(Refused) as caught:
            await publishing.approve(tx, library, BOB, proposal_id)

    assert caught.value.code == "no-longer-valid"
    assert "added after the check" in " ".join(caught.value.details["problems"])
    assert "fine when checked" not in (library.directory / FILE).read_text(encoding="utf-8")
