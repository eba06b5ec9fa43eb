"""`python -m bot forget ID`: the /forget erasure for a request made outside Telegram."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.services import mediation
from bot.storage import cases, inbox, users
from bot.storage.db import Database
from bot.storage.users import User

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from traces import file_traces, table_traces

PERSON = 4242427


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    path = tmp_path / "data" / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    return path


async def a_person_with_a_case(path: Path) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            await users.save(tx, User(PERSON, "ru", "KG"))
            await inbox.add_many(tx, [{"update_id": 7, "message": {
                "message_id": 1, "date": 1, "text": "I am Aigul from Osh",
                "from": {"id": PERSON, "is_bot": False, "first_name": "Aigul"},
                "chat": {"id": PERSON, "type": "private", "first_name": "Aigul"}}}])
            case_id = await cases.create(tx, person_id=PERSON, person_name="Aigul", country="KG",
                                         lang="ru", flow_id=None, step_id=None,
                                         reason="I am Aigul from Osh", context={})
            assert await mediation.take(tx, case_id, 801)
            await cases.add_message(tx, case_id, "in", PERSON, "text", "I am Aigul from Osh")
    finally:
        await db.close()


@pytest.mark.sqlite_only
def test_forget_from_the_command_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(a_person_with_a_case(db_path))
    assert table_traces(db_path, ["Aigul"], PERSON)
    assert main(["forget", str(PERSON)]) == 0
    out = capsys.readouterr().out
    assert out == f"user {PERSON} erased from {db_path}\n"
    assert table_traces(db_path, ["Aigul", "Osh"], PERSON) == []
    assert file_traces(db_path, ["Aigul", "Osh"], PERSON) == []
    assert main(["forget", "0"]) == 2



@pytest.mark.sqlite_only
def test_the_command_line_erases_what_every_service_holds(db_path: Path) -> None:
    """In a fresh process that loaded no handler module: follow-ups and proposals go too."""
    import os
    import sqlite3
    import subprocess

    asyncio.run(a_person_with_a_case(db_path))
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO followup_runs (user_id, flow_id, lang, created_at)"
                 " VALUES (?, 'kg-birth', 'ru', 1)", (PERSON,))
    conn.execute("INSERT INTO proposals (author_id, chat_id, file_name, created_at)"
                 " VALUES (?, ?, 'kg-birth.yaml', 1)", (PERSON, PERSON))
    conn.commit()
    conn.close()
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo), "DATABASE_PATH": str(db_path)}
    done = subprocess.run([sys.executable, "-m", "bot", "forget", str(PERSON)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(db_path)
    runs = conn.execute("SELECT COUNT(*) FROM followup_runs WHERE user_id = ?",
                        (PERSON,)).fetchone()[0]
    authors = conn.execute("SELECT COUNT(*) FROM proposals WHERE author_id = ? OR chat_id = ?",
                           (PERSON, PERSON)).fetchone()[0]
    conn.close()
    assert (runs, authors) == (0, 0)
