"""Issue 18, item 4: the live flows in a writable FLOWS_DIR, seeded from the shipped flows;
an upgrade that ships new versions of edited flows proposes them (three-way diff) and never
overwrites; a folder that cannot be written is a clear message, never the generic apology."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from chat_driver import SHIPPED_FLOWS, Person, unthrottle
from conftest import make_settings
from fakebotapi import FakeBotAPI
from test_publishing import ALICE, BOB, FILE, FLOW, ORIGINAL_INTRO, export, upload

from bot.app import prepare_flows
from bot.engine import load_flows
from bot.i18n import gettext_for
from bot.services import live_flows

_ = gettext_for("en")
CN = f"CN/{FILE}"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the code's flows/ (a release), so a test can ship a new version."""
    target = tmp_path / "code" / "flows"
    shutil.copytree(SHIPPED_FLOWS, target)
    return target


def _settings(fake: FakeBotAPI, tmp_path: Path, shipped: Path) -> Any:
    return make_settings(fake, tmp_path, flows_dir=tmp_path / "data" / "flows",
                         shipped_flows_dir=shipped, admin_ids=frozenset({ALICE, BOB}))


async def _start(start_bot: Callable[..., Any], fake: FakeBotAPI, tmp_path: Path,
                 shipped: Path) -> Any:
    settings = _settings(fake, tmp_path, shipped)
    assert prepare_flows(settings)
    return await start_bot(flows_dir=settings.flows_dir, shipped_flows_dir=shipped,
                           admin_ids=frozenset({ALICE, BOB}))


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make a folder tree unwritable, even for root (the immutable flag)."""
    dirs = [str(folder), *(str(p) for p in folder.rglob("*") if p.is_dir())]
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(
                ["chattr", "+i", *dirs], capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr +i: cannot make a folder read-only")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *dirs], capture_output=True, check=False)
    else:
        for d in dirs:
            os.chmod(d, 0o555)
        try:
            yield
        finally:
            for d in dirs:
                os.chmod(d, 0o755)


async def test_publishing_into_a_fresh_flows_dir(start_bot: Callable[..., Any],
                                                 fake_api: FakeBotAPI, tmp_path: Path,
                                                 shipped: Path) -> None:
    runtime = await _start(start_bot, fake_api, tmp_path, shipped)
    live = runtime.settings.flows_dir
    assert (live / CN).read_bytes() == (shipped / CN).read_bytes()
    assert (live / live_flows.BASE / CN).is_file()  # what was shipped, per file
    alice, bob = Person(fake_api, runtime, ALICE), Person(fake_api, runtime, BOB)
    edited = (await export(alice)).replace(ORIGINAL_INTRO, "LIVE EDIT. " + ORIGINAL_INTRO)
    await upload(alice, edited)
    await alice.click(_("Ask for review"))
    seen = await bob.click(_("Approve and publish"))
    assert _("Published: {flow} version {version}. People get it from now on.").format(
        flow=FLOW, version=2) in seen.text
    assert "LIVE EDIT." in (live / CN).read_text(encoding="utf-8")
    assert "LIVE EDIT." not in (shipped / CN).read_text(encoding="utf-8")  # code untouched


async def test_an_upgrade_proposes_new_versions_of_edited_flows(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, tmp_path: Path,
        shipped: Path) -> None:
    runtime = await _start(start_bot, fake_api, tmp_path, shipped)
    live = runtime.settings.flows_dir
    await runtime.stop()
    # The NGO edits the CN birth flow on the server; nobody touches the KZ one.
    ngo = (live / CN).read_text(encoding="utf-8").replace(ORIGINAL_INTRO, "NGO EDIT. "
                                                          + ORIGINAL_INTRO)
    (live / CN).write_text(ngo, encoding="utf-8")
    # A release changes both, and adds a file.
    kz = "KZ/birth-registration.yaml"
    shipped_cn = (shipped / CN).read_text(encoding="utf-8").replace(
        ORIGINAL_INTRO, "UPSTREAM. " + ORIGINAL_INTRO)
    (shipped / CN).write_text(shipped_cn, encoding="utf-8")
    shipped_kz = (shipped / kz).read_text(encoding="utf-8").replace(
        "last_reviewed:", "# reviewed again upstream\nlast_reviewed:", 1)
    (shipped / kz).write_text(shipped_kz, encoding="utf-8")
    (shipped / "KZ" / "tests" / "upstream-extra.yaml").write_text(
        (shipped / "KZ" / "tests").joinpath(sorted(
            p.name for p in (shipped / "KZ" / "tests").glob("*.yaml"))[0]).read_text(
            encoding="utf-8"), encoding="utf-8")

    runtime = await _start(start_bot, fake_api, tmp_path, shipped)

    assert (live / CN).read_text(encoding="utf-8") == ngo  # never overwritten
    assert (live / kz).read_text(encoding="utf-8") == shipped_kz  # unedited: updated
    assert (live / "KZ" / "tests" / "upstream-extra.yaml").is_file()  # new: added
    [proposal] = await runtime.db.fetchall("SELECT * FROM proposals")
    assert (proposal["status"], proposal["author_id"], proposal["path"]) == (
        "pending", None, CN)
    assert proposal["content"] == shipped_cn
    diff = __import__("json").loads(proposal["report"])["diff"]
    for label in ("(shipped before)", "(shipped now)", "(live)"):
        assert label in diff
    assert "+      en: UPSTREAM. " in diff and "+      en: NGO EDIT. " in diff
    assert not (live / live_flows.WAITING / CN).exists()
    assert (live / live_flows.BASE / CN).read_text(encoding="utf-8") == shipped_cn

    alice = Person(fake_api, runtime, ALICE)
    seen = await alice.send("/proposals")
    assert f"#{proposal['id']} {FLOW}" in seen.text
    await runtime.stop()
    runtime = await _start(start_bot, fake_api, tmp_path, shipped)  # no second proposal
    assert len(await runtime.db.fetchall("SELECT id FROM proposals")) == 1

    alice = Person(fake_api, runtime, ALICE)
    await alice.click(_("Review #{id}").format(id=proposal["id"]))
    seen = await alice.click(_("Approve and publish"))
    assert _("Published: {flow} version {version}. People get it from now on.").format(
        flow=FLOW, version=2) in seen.text  # v1: the NGO's file as first recorded
    assert (live / CN).read_text(encoding="utf-8") == shipped_cn


async def test_a_read_only_flows_dir_is_a_clear_message(start_bot: Callable[..., Any],
                                                        fake_api: FakeBotAPI, tmp_path: Path,
                                                        shipped: Path) -> None:
    runtime = await _start(start_bot, fake_api, tmp_path, shipped)
    live = runtime.settings.flows_dir
    alice, bob = Person(fake_api, runtime, ALICE), Person(fake_api, runtime, BOB)
    edited = (await export(alice)).replace(ORIGINAL_INTRO, "BLOCKED. " + ORIGINAL_INTRO)
    await upload(alice, edited)
    await alice.click(_("Ask for review"))
    with read_only(live):
        seen = await bob.click(_("Approve and publish"))
    assert f"cannot write FLOWS_DIR {live}" in seen.text
    assert not any("Sorry, something went wrong" in t for t in fake_api.texts_to(BOB))
    assert "BLOCKED." not in (live / CN).read_text(encoding="utf-8")
    row = await runtime.db.fetchone("SELECT status FROM proposals")
    assert row["status"] == "pending"  # nothing lost: it can be approved once fixed
    seen = await bob.click(_("Approve and publish"))
    assert "BLOCKED." in (live / CN).read_text(encoding="utf-8")


def test_a_flows_dir_that_cannot_be_created_stops_with_one_line(
        fake_api: FakeBotAPI, tmp_path: Path, shipped: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").write_text("a file where the data folder should be")
    settings = _settings(fake_api, tmp_path, shipped)
    assert not prepare_flows(settings)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"passerelle: cannot write FLOWS_DIR "
                                               f"{settings.flows_dir}")


def test_the_shipped_folder_stays_checkable_and_unchanged(shipped: Path, tmp_path: Path
                                                          ) -> None:
    before = {p: p.read_bytes() for p in shipped.rglob("*") if p.is_file()}
    live_flows.sync(shipped, tmp_path / "live")
    assert {p: p.read_bytes() for p in shipped.rglob("*") if p.is_file()} == before
    assert load_flows(tmp_path / "live").problems == load_flows(tmp_path / "live").problems
    assert load_flows(tmp_path / "live").ok


def test_an_existing_folder_is_adopted_not_filled(shipped: Path, tmp_path: Path) -> None:
    """FLOWS_DIR pointing at a folder the admin made: nothing shipped is added to it."""
    own = tmp_path / "own"
    shutil.copytree(shipped / "SN", own / "SN")
    (own / "SN" / "id-card.yaml").unlink()
    live_flows.sync(shipped, own)
    assert sorted(p.name for p in own.iterdir()) == [".shipped", "SN"]
    assert not (own / "SN" / "id-card.yaml").exists()
    assert live_flows.sync(shipped, own).added == []  # and not later either
