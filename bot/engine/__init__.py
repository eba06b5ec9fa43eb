"""The flow engine: pure Python, no Telegram, no database, no environment.

    result = load_flows("flows")              # flows + problems, each with file:line:column
    sprint = start(result.flows, "kz-birth", "ru")
    sprint = resume(result.flows, sprint.session, Text("01.11.2026"))

A Sprint is the new session (JSON-serialisable) plus the events to show.
"""

from .events import Action, Back, Event, Press, Restart, Text
from .loader import LoadResult, load_flows
from .model import Flow, FlowSet
from .problems import Problem, Severity
from .runner import MAX_STEPS, Sprint, current, resume, start

__all__ = [
    "MAX_STEPS",
    "Action",
    "Back",
    "Event",
    "Flow",
    "FlowSet",
    "LoadResult",
    "Press",
    "Problem",
    "Restart",
    "Severity",
    "Sprint",
    "Text",
    "current",
    "load_flows",
    "resume",
    "start",
]
