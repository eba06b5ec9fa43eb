"""/forget erases a person after a confirmation; /reload swaps the flows only when they are good."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from backend import read_rows
from chat_driver import Person, unthrottle, write_test_flows
from fakebotapi import FakeBotAPI

from bot.engine import load_flows
from bot.i18n import gettext_for

_ = gettext_for("fr")
SECRET = "Awa Ndiaye-Secretname"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    unthrottle(monkeypatch)


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    return write_test_flows(tmp_path / "flows")


async def test_forget_asks_first_then_erases_and_says_what_is_kept(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path, tmp_path: Path) -> None:
    me = Person(fake_api, await start_bot(flows_dir=flows), 42, "fr")
    await me.send("/start e2e-echo")
    seen = await me.send(SECRET)
    assert f"C'est fini, {SECRET}." in seen.text
    await me.send("/start sn-id-card")
    await me.send("31")

    seen = await me.send("/forget")
    assert seen.texts == [_("This erases your language and country, your progress in every "
                            "procedure, your cases and the messages you sent through the bot. "
                            "Only anonymous counts are kept. Erase everything?")]
    seen = await me.click(_("Cancel"))
    assert seen.texts == [_("Nothing was erased.")]
    assert await me.runtime.db.fetchone("SELECT 1 FROM users WHERE user_id = 42")
    assert await me.runtime.db.fetchone("SELECT 1 FROM sessions WHERE chat_id = 42")

    await me.send("/forget")
    seen = await me.click(_("Yes, erase everything"))
    assert seen.texts == [_("Done: everything about you is erased. Only anonymous counts "
                            "remain. Write /start if you need help again.")]
    assert seen.of("editMessageReplyMarkup")  # the confirmation can't be pressed again
    await me.runtime.stop()

    path = tmp_path / "data" / "bot.sqlite3"
    assert read_rows(path, "SELECT * FROM users WHERE user_id = 42") == []
    assert read_rows(path, "SELECT * FROM sessions WHERE chat_id = 42") == []
    # Their updates and the bot's calls stay (duplicates are still recognised), blank
    # and without their chat id; the last replies blanked themselves once delivered.
    assert read_rows(path, "SELECT COUNT(*) FROM inbox WHERE chat_id = 42")[0][0] == 0
    assert read_rows(path, "SELECT COUNT(*) FROM outbox WHERE chat_id = 42")[0][0] == 0
    payloads = read_rows(path, "SELECT update_id, payload FROM inbox")
    assert payloads and all(json.loads(p) == {"update_id": u} for u, p in payloads)
    outbox = read_rows(path, "SELECT params, result FROM outbox")
    assert outbox and not any(SECRET in f"{p}{r}" for p, r in outbox)
    for file in path.parent.iterdir() if path.parent.exists() else []:  # nor any page
        assert SECRET.encode() not in file.read_bytes(), file.name

    me.runtime = await start_bot(flows_dir=flows)
    seen = await me.send("/start")  # a stranger again: greeted from Telegram's language
    assert _("Which country do you need help with?") in seen.texts


async def test_reload_keeps_the_running_flows_when_the_new_ones_are_broken(
        start_bot: Callable[..., Any], fake_api: FakeBotAPI, flows: Path) -> None:
    runtime = await start_bot(flows_dir=flows)
    me = Person(fake_api, runtime, 42, "fr")
    admin = Person(fake_api, runtime, 900, "fr")
    await me.send("/start sn-id-card")
    await me.send("30")
    question = me.message_with("Renouveler ma carte")

    seen = await me.send("/reload")
    assert seen.texts == [_("This command is for admins only.")]

    (flows / "SN" / "broken.yaml").write_text("id: broken\nsteps: [\n", encoding="utf-8")
    id_card = flows / "SN" / "id-card.yaml"
    id_card.write_text(id_card.read_text(encoding="utf-8").replace(
        "Renouvellement : apportez", "Renouvellement (mis à jour) : apportez"), encoding="utf-8")
    seen = await admin.send("/reload")
    report = seen.texts[0]
    assert report.startswith(_("The flows have {count} errors; the running flows are kept.")
                             .format(count=1))
    assert "broken.yaml:" in report and "error" in report
    seen = await me.send("/menu")  # the running set is untouched
    assert "broken" not in seen.text and "Carte d'identité biométrique CEDEAO" in seen.buttons()

    (flows / "SN" / "broken.yaml").unlink()
    new_flow = (flows / "SN" / "e2e-a.yaml").read_text(encoding="utf-8")
    (flows / "SN" / "e2e-new.yaml").write_text(
        new_flow.replace("e2e-a", "e2e-new").replace("Zz procédure a", "Aaa nouvelle"),
        encoding="utf-8")
    seen = await admin.send("/reload")
    assert seen.texts == [_("Flows reloaded: {flows} flows, {warnings} warnings.").format(
        flows=sum(1 for p in flows.glob("*/*.yaml") if p.name != "country.yaml"),
        warnings=len(load_flows(flows).warnings))]  # e2e-long's two long texts, on purpose

    seen = await me.press(question, me.data_of(question, "Renouveler ma carte"))  # old button
    assert [a.params.get("text") for a in seen.answers] == [None]
    assert "Renouvellement (mis à jour)" in seen.texts[-1]
    seen = await me.send("/menu")
    assert "Aaa nouvelle" in seen.buttons()
