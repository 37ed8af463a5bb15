"""Who may do what with a case. Roles are read from the database on every call, so a revoke
bites at the next command, button or page.

Staff act on the cases assigned to their unit; supervisors see and act on every case of their
region and the regions below it, and may reveal who filed; admins (from ADMIN_IDS or granted)
see everything, manage roles and the knowledge base and read statistics, but act on no case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.models import Complaint, Role
from storage.roles import RoleRepository


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    region: str


@dataclass(frozen=True)
class Permissions:
    user_id: int
    is_admin: bool = False
    units: tuple[UnitRef, ...] = ()
    regions: tuple[str, ...] = ()  # supervised regions

    @property
    def has_role(self) -> bool:
        return self.is_admin or self.is_staff or self.is_supervisor

    @property
    def is_staff(self) -> bool:
        return bool(self.units)

    @property
    def is_supervisor(self) -> bool:
        return bool(self.regions)

    @property
    def unit_ids(self) -> tuple[int, ...]:
        return tuple(u.id for u in self.units)

    def supervises(self, complaint: Complaint) -> bool:
        return any(f"/{region}/" in complaint.region_path for region in self.regions)

    def handles(self, complaint: Complaint) -> bool:
        """The case is assigned to one of the user's units."""
        return any(a.unit_id in self.unit_ids for a in complaint.assignments)

    def may_view(self, complaint: Complaint) -> bool:
        return self.is_admin or self.handles(complaint) or self.supervises(complaint)

    def may_act(self, complaint: Complaint) -> bool:
        return self.handles(complaint) or self.supervises(complaint)

    def may_reveal(self, complaint: Complaint) -> bool:
        return self.supervises(complaint)


class Access:
    def __init__(self, roles: RoleRepository, admin_ids: Iterable[int] = ()) -> None:
        self.roles = roles
        self.admin_ids = frozenset(admin_ids)

    async def of(self, user_id: int) -> Permissions:
        grants = await self.roles.active(user_id)
        return Permissions(
            user_id=user_id,
            is_admin=user_id in self.admin_ids or any(g.role is Role.ADMIN for g in grants),
            units=tuple(
                UnitRef(g.unit.id, g.unit.name, g.unit.region)
                for g in grants
                if g.role is Role.STAFF and g.unit is not None
            ),
            regions=tuple(
                dict.fromkeys(g.region for g in grants if g.role is Role.SUPERVISOR and g.region)
            ),
        )
