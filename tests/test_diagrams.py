"""The Mermaid diagrams beside the multi-step flows say what the code does: their states are the
code's states, so a step added to one without the other fails here."""

from __future__ import annotations

import re
from pathlib import Path

from cases.access import Access
from cases.service import CaseService
from handlers import casework, complaints
from knowledge.complaint_cues import ComplaintCues
from storage.complaints import ComplaintRepository
from storage.db import Database
from storage.lifecycle import ALLOWED_TRANSITIONS
from storage.roles import RoleRepository
from tests.telegram_harness import shared_router

ROOT = Path(__file__).resolve().parent.parent
ARROW = re.compile(r"^\s*(\S+)\s*-->\s*([^\s:]+)", re.M)


def arrows(path: str) -> set[tuple[str, str]]:
    return set(ARROW.findall((ROOT / path).read_text(encoding="utf-8")))


def states(path: str) -> set[str]:
    return {s for edge in arrows(path) for s in edge} - {"[*]"}


def test_the_lifecycle_diagram_is_the_allowed_transitions():
    drawn = {(a, b) for a, b in arrows("storage/lifecycle.mmd") if a != "[*]"}
    allowed = {(a.value, b.value) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert drawn == allowed


async def test_the_intake_diagram_has_the_conversations_states(policy_kb, tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}")
    service = CaseService(ComplaintRepository(db), Access(RoleRepository(db)), shared_router())
    handler = complaints._conversation(
        complaints.ComplaintHandlers(policy_kb, service, ComplaintCues()), False
    )
    assert states("handlers/complaint_intake.mmd") == set(handler.states)
    await db.dispose()


def test_the_casework_diagram_has_the_typed_steps():
    waiting = states("handlers/casework_steps.mmd") - {"idle", "choosing_unit"}
    assert waiting == {*casework.TYPED_PROMPTS, "transfer"}
