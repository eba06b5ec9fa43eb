"""Prometheus metrics: counters the workers increment, gauges read from the database.

Why prometheus-client: it writes the exposition format (escaping, types, HELP lines) the way
every Prometheus and Grafana agent expects; a hand-written format would drift. The metrics
live in a registry of their own, so nothing else in the process (a library's default
collectors) leaks into what an NGO's monitoring scrapes. No label names a person or a chat.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from bot.storage.db import Reader
from bot.storage.health import queue_health

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES_PROCESSED = Counter("passerelle_updates_processed",
                            "Telegram updates handled successfully", registry=REGISTRY)
UPDATES_FAILED = Counter("passerelle_updates_failed",
                         "Telegram updates whose handler failed (stored as failed rows)",
                         registry=REGISTRY)
RATE_LIMITED = Counter("passerelle_telegram_429",
                       "Bot API calls answered 429 Too Many Requests (retried later)",
                       registry=REGISTRY)
LAST_API_SUCCESS = Gauge("passerelle_last_api_success_timestamp_seconds",
                         "Unix time of the last Bot API call Telegram answered with success "
                         "(0: none yet)", registry=REGISTRY)

_GAUGES = {
    "inbox_pending": Gauge("passerelle_inbox_pending", "Updates stored, not yet processed",
                           registry=REGISTRY),
    "inbox_oldest_age_s": Gauge("passerelle_inbox_oldest_age_seconds",
                                "Age of the oldest unprocessed update", registry=REGISTRY),
    "outbox_pending": Gauge("passerelle_outbox_pending", "Bot API calls waiting to be sent",
                            registry=REGISTRY),
    "outbox_oldest_age_s": Gauge("passerelle_outbox_oldest_age_seconds",
                                 "Age of the oldest call waiting to be sent", registry=REGISTRY),
    "cases_open": Gauge("passerelle_cases_open", "Cases not closed (waiting or taken)",
                        registry=REGISTRY),
    "cases_unclaimed": Gauge("passerelle_cases_unclaimed", "Cases no volunteer has taken yet",
                             registry=REGISTRY),
    "unclaimed_oldest_age_s": Gauge("passerelle_cases_unclaimed_oldest_age_seconds",
                                    "Age of the oldest case no volunteer has taken",
                                    registry=REGISTRY),
}


async def exposition(db: Reader) -> bytes:
    """The metrics in Prometheus' text format, gauges refreshed from the database now."""
    health = await queue_health(db)
    for name, gauge in _GAUGES.items():
        gauge.set(getattr(health, name))
    return generate_latest(REGISTRY)
