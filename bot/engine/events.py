"""What the engine asks the outside world to show, and what a person can do back.

Events carry texts already chosen in the person's language, with answers inserted; the
adapter (Telegram, console, tests) only lays them out. Everything is plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Ask:
    step: str
    text: str
    input: str  # text | number | date | phone | yesno


@dataclass(frozen=True)
class Choice:
    key: str
    label: str


@dataclass(frozen=True)
class Choices:
    step: str
    text: str
    options: tuple[Choice, ...]


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    ticked: bool


@dataclass(frozen=True)
class Checklist:
    step: str
    text: str
    items: tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class MissingItem:
    label: str
    where: str | None
    caution: str | None = None  # the caution of the office it is got at (risk: enforcement)


@dataclass(frozen=True)
class Missing:
    """After a checklist: what the person still needs, and where to get it."""

    items: tuple[MissingItem, ...]


@dataclass(frozen=True)
class Place:
    name: str
    address: str | None = None
    hours: str | None = None
    phone: str | None = None
    url: str | None = None
    lat: float | None = None
    lon: float | None = None
    note: str | None = None
    # An office where a person may be detained (`risk: enforcement`) carries its caution in
    # the same event: an adapter cannot show the office without the warning.
    caution: str | None = None


@dataclass(frozen=True)
class Escalate:
    step: str
    reason: str
    waiting: bool  # True when the flow stops here until a volunteer answers


@dataclass(frozen=True)
class Invalid:
    """The answer did not fit; `text` is the flow's retry text, or None for the UI default."""

    step: str
    input: str  # an input kind, or "choice" / "checklist"
    text: str | None
    # What was wrong, for a precise hint ("out-of-range", "future", ...: see inputs.REASONS),
    # and the step's range for "between 1 and 30". Details of one event: not compared.
    reason: str = field(default="", compare=False)
    minimum: float | None = field(default=None, compare=False)
    maximum: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SummaryLine:
    label: str
    value: Any
    kind: str  # the input kind, "choice" or "checklist": how the adapter formats the value


@dataclass(frozen=True)
class End:
    step: str
    text: str
    summary: tuple[SummaryLine, ...]
    bring: tuple[str, ...]
    missing: tuple[MissingItem, ...]


@dataclass(frozen=True)
class Stale:
    """A button from an earlier step was pressed; the current step follows."""


@dataclass(frozen=True)
class FlowChanged:
    """The flow file changed under the person and their step is gone: it starts again."""

    removed: bool  # True when the whole flow no longer exists


@dataclass(frozen=True)
class Stuck:
    """The step guard stopped a runaway sprint; the adapter offers human help."""

    step: str


Event = (Say | Ask | Choices | Checklist | Missing | Place | Escalate | Invalid | End | Stale
         | FlowChanged | Stuck)
QUESTION_EVENTS = (Ask, Choices, Checklist)


@dataclass(frozen=True)
class Text:
    """The person typed something."""

    text: str


@dataclass(frozen=True)
class Press:
    """The person pressed a button of `step`: an option, a checklist item, yes/no or done."""

    step: str
    key: str


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Restart:
    pass


Action = Text | Press | Back | Restart
