"""Who may do what: every handler asks here, never decides on its own."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage import volunteers
from bot.storage.cases import Case
from bot.storage.db import Reader
from bot.storage.volunteers import Volunteer


@dataclass(frozen=True)
class Role:
    user_id: int
    admin: bool
    volunteer: Volunteer | None

    @property
    def is_volunteer(self) -> bool:
        return self.volunteer is not None or self.admin

    def can_see(self, case: Case) -> bool:
        """Admins see every case; volunteers their own and those in their countries."""
        if self.admin:
            return True
        if self.volunteer is None:
            return False
        return case.volunteer_id == self.user_id or case.country in self.volunteer.countries

    def can_act_on(self, case: Case) -> bool:
        """Acting on a taken case (relay, note, close...) is for the volunteer holding it."""
        return case.status == "taken" and case.volunteer_id == self.user_id


async def role_of(db: Reader, user_id: int, admin_ids: frozenset[int]) -> Role:
    return Role(user_id, user_id in admin_ids, await volunteers.get(db, user_id))
