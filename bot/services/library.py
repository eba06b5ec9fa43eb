"""The running set of flows, and reloading it without ever replacing good flows with bad.

Sessions carry each flow's content version, so people mid-flow continue safely after a
reload (the engine decides whether their step still exists).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.engine import FlowSet, LoadResult, load_flows

log = logging.getLogger(__name__)


class FlowsInvalid(Exception):
    """The flows have errors; `result.errors` says where."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(f"{len(result.errors)} errors in the flows")
        self.result = result


@dataclass
class FlowLibrary:
    directory: Path
    flows: FlowSet = field(default_factory=FlowSet)
    loaded_at: date | None = None

    @classmethod
    def load(cls, directory: Path) -> FlowLibrary:
        """Load at start; raise FlowsInvalid so the bot refuses to start on errors."""
        library = cls(Path(directory))
        result = library.reload()
        if not result.ok:
            raise FlowsInvalid(result)  # nothing is running yet: the caller says what to fix
        return library

    def reload(self) -> LoadResult:
        """Load again; keep the running set when the new one has errors."""
        result = load_flows(self.directory)
        if result.ok:
            self.flows = result.flows
            self.loaded_at = date.today()
            log.info("loaded %d flows (%d warnings)", len(result.flows.flows),
                     len(result.warnings))
        elif self.flows.flows:  # only a running set can be kept; at start there is none
            log.warning("flows have %d errors; keeping the running set", len(result.errors))
        return result
