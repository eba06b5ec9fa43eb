"""Scaling out: 1, 2 and 4 bot processes on PostgreSQL against 1 on SQLite, in one run.

    python benchmarks/scale.py [--chats 200] [--per-chat 5] [--rate 50] [--seconds 10]

Everything on 127.0.0.1: a throw-away PostgreSQL cluster (bot/storage/pg_cluster.py), the
tests' fake Bot API and the load generator in this process, each bot a real
``python -m bot`` in webhook mode. Updates are POSTed as Telegram does: a chat's next update
only after the previous one was answered 200, chats side by side, spread over the processes
round robin (a load balancer). Telegram's send limits are lifted (SEND_RATE) so the figures
are the bot's capacity, not the 30 messages a second Telegram allows.

Two measures per setup:
* throughput: ``--chats`` people each send ``--per-chat`` updates (/start, then /help and
  /menu) as fast as they are taken; updates handled per second (from the first POST until
  every inbox row is done), and CPU per update: the bot processes' own, and with the
  PostgreSQL server's processes added (SQLite runs inside the bot, so that is the fair sum);
* latency: a steady ``--rate`` updates a second for ``--seconds`` s (each a newcomer's
  /start); p50/p95 of the first reply (POST sent -> first call to that chat at the fake).

Honest limits: the machine this ran on has 2 cores, shared by the load generator, the fake
Bot API, the server and the bots; more processes than cores cannot add throughput there.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakebotapi import FakeBotAPI  # noqa: E402
from processes import SECRET, free_port, text_update  # noqa: E402

from bot.storage.pg_cluster import Cluster  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(ppid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == ppid:
                found.append(int(entry.name))
    return found


class Server:
    """CPU of the PostgreSQL cluster's processes (the postmaster and its children)."""

    def __init__(self, cluster: Cluster | None) -> None:
        self.pid = None
        if cluster is not None:
            pidfile = cluster.dir / "data" / "postmaster.pid"
            self.pid = int(pidfile.read_text().split()[0])

    def cpu(self) -> dict[int, float]:
        if self.pid is None:
            return {}
        pids = [self.pid, *children(self.pid)]
        return {pid: cpu_seconds(pid) for pid in pids}


class Bot:
    def __init__(self, fake: FakeBotAPI, tmp: Path, database: dict[str, str]) -> None:
        self.port = free_port()
        self.env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp),
                    "PYTHONPATH": str(ROOT), "FLOWS_DIR": str(ROOT / "flows"),
                    "BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.base_url,
                    "WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(self.port),
                    "LOG_LEVEL": "ERROR", "QUIET_HOURS": "off", "SEND_RATE": "100000",
                    **database}
        self.tmp = tmp
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        log = (self.tmp / f"bot-{self.port}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.tmp, env=self.env, stdout=log,
            stderr=asyncio.subprocess.STDOUT)
        log.close()
        async with asyncio.timeout(60), aiohttp.ClientSession() as session:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as r:
                        if r.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid) if self.process else 0.0

    async def post(self, session: aiohttp.ClientSession, update: dict) -> None:
        while True:
            async with session.post(f"http://127.0.0.1:{self.port}/telegram", json=update,
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
                if r.status == 200:
                    return
            await asyncio.sleep(0.05)  # as Telegram: again until stored

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(20):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()


@dataclass
class Result:
    label: str
    updates: int = 0
    seconds: float = 0.0
    bot_cpu: float = 0.0
    server_cpu: float = 0.0
    p50: float = 0.0
    p95: float = 0.0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


async def count_done(database: dict[str, str]) -> int:
    """Inbox rows finished, read from outside the bots."""
    if "DATABASE_URL" in database:
        import psycopg

        async with await psycopg.AsyncConnection.connect(database["DATABASE_URL"],
                                                        autocommit=True) as conn:
            cur = await conn.execute("SELECT COUNT(*) FROM inbox WHERE status != 'pending'")
            return int((await cur.fetchone())[0])
    import sqlite3

    with sqlite3.connect(f"file:{database['DATABASE_PATH']}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM inbox WHERE status != 'pending'")
                   .fetchone()[0])


async def wait_done(database: dict[str, str], total: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while await count_done(database) < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {await count_done(database)} of {total} handled")
        await asyncio.sleep(0.05)


TEXTS = ("/start", "/help", "/menu")


async def throughput(bots: list[Bot], server: Server, database: dict[str, str], first_id: int,
                     chats: int, per_chat: int, label: str) -> Result:
    counter = iter(range(10**9))
    done_before = await count_done(database)
    cpu0 = [b.cpu() for b in bots]
    srv0 = server.cpu()
    start = time.monotonic()

    async def person(chat: int, session: aiohttp.ClientSession) -> None:
        for k in range(per_chat):
            n = next(counter)
            update = text_update(first_id + chat * per_chat + k, 5_000_000 + first_id + chat,
                                 TEXTS[min(k, 1) if k < 2 else 1 + k % 2])
            await bots[n % len(bots)].post(session, update)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64)) as session:
        await asyncio.gather(*(person(c, session) for c in range(chats)))
    await wait_done(database, done_before + chats * per_chat)
    seconds = time.monotonic() - start
    srv1 = server.cpu()
    server_cpu = sum(v - srv0.get(pid, 0.0) for pid, v in srv1.items())
    return Result(label, chats * per_chat, seconds,
                  sum(b.cpu() - c for b, c in zip(bots, cpu0, strict=True)), server_cpu)


async def latency(bots: list[Bot], fake: FakeBotAPI, database: dict[str, str], first_id: int,
                  rate: float, seconds: float, result: Result) -> None:
    sent: dict[int, float] = {}
    done_before = await count_done(database)
    total = int(rate * seconds)
    start = time.monotonic()
    async with aiohttp.ClientSession() as session:
        tasks = []
        for k in range(total):
            await asyncio.sleep(max(0.0, start + k / rate - time.monotonic()))
            chat = 9_000_000 + first_id + k
            sent[chat] = time.monotonic()
            tasks.append(asyncio.create_task(bots[k % len(bots)].post(
                session, text_update(first_id + k, chat, "/start"))))
        await asyncio.gather(*tasks)
    await wait_done(database, done_before + total)
    deadline = time.monotonic() + 30
    first: dict[int, float] = {}
    while len(first) < total and time.monotonic() < deadline:
        for call in fake.calls:
            if call.chat_id in sent and call.chat_id not in first:
                first[call.chat_id] = call.at
        await asyncio.sleep(0.2)
    waits = sorted(first[c] - sent[c] for c in first)
    result.p50 = waits[len(waits) // 2] if waits else float("nan")
    result.p95 = waits[max(0, int(len(waits) * 0.95) - 1)] if waits else float("nan")


async def setup(label: str, n: int, database: dict[str, str], server: Server, tmp: Path,
                args: argparse.Namespace, first_id: int) -> Result:
    fake = FakeBotAPI()
    await fake.start()
    bots = [Bot(fake, tmp, database) for _ in range(n)]
    try:
        for bot in bots:
            await bot.start()
        # warm-up: imports, catalogues and caches are not what we measure
        await throughput(bots, server, database, first_id, 20, 2, "warm")
        result = await throughput(bots, server, database, first_id + 100_000, args.chats,
                                  args.per_chat, label)
        fake.calls.clear()
        await latency(bots, fake, database, first_id + 200_000, args.rate, args.seconds,
                      result)
        return result
    finally:
        for bot in bots:
            await bot.stop()
        await fake.stop()


async def main(args: argparse.Namespace) -> None:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="passerelle-scale-") as folder:
        tmp = Path(folder)
        results.append(await setup("SQLite, 1 process", 1,
                                   {"DATABASE_PATH": str(tmp / "scale.sqlite3")},
                                   Server(None), tmp, args, 1_000_000))
        cluster = Cluster()
        cluster.start()
        try:
            server = Server(cluster)
            for i, n in enumerate((1, 2, 4)):
                import psycopg

                name = f"scale{n}"
                with psycopg.connect(cluster.url, autocommit=True) as conn:
                    conn.execute(f"CREATE DATABASE {name}")
                url = cluster.url.rsplit("/", 1)[0] + f"/{name}"
                results.append(await setup(f"PostgreSQL, {n} process{'es' if n > 1 else ''}",
                                           n, {"DATABASE_URL": url}, server, tmp, args,
                                           2_000_000 * (i + 1)))
        finally:
            cluster.stop()
    print(f"\n{os.cpu_count()} cores; {args.chats} people x {args.per_chat} updates;"
          f" latency at {args.rate:g} updates/s for {args.seconds:g} s (send limits lifted)\n")
    header = ("setup", "updates/s", "bot CPU ms/update", "bot+server CPU ms/update",
              "first reply p50", "p95")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in results:
        per = 1000 / r.updates if r.updates else 0
        print(f"{r.label} | {r.rate:.0f} | {r.bot_cpu * per:.1f} | "
              f"{(r.bot_cpu + r.server_cpu) * per:.1f} | {r.p50 * 1000:.0f} ms | "
              f"{r.p95 * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--per-chat", type=int, default=5)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    asyncio.run(main(parser.parse_args()))
