"""/stats and /export through the real bot: numbers checked against the tables, the CSV as Excel reads it.

A month of cases is put on file with the repository (staff, supervisor, system and filer
events, 回访 ratings, a reopening), the clock is moved on so that some are overdue, and then
what a supervisor or admin reads is compared with counts the test computes itself from the
complaints and complaint_events tables.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases import export_texts
from cases.export import safe_cell
from handlers import report_texts as t
from handlers import texts
from storage.complaints import ESCALATE, FEEDBACK, REMIND, REPLY, SYSTEM, Actor
from storage.models import ActorKind, Complaint, ComplaintEvent, ComplaintUnit, Unit
from storage.reports import CaseFilter, CaseReports
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot, file_case
from tests.telegram_harness import Clock

ADMIN = 9001
STAFF = 4001  # 闽清县 县住建局
SUPERVISOR_FUZHOU = 5001  # 福州市: sees 闽清县
SUPERVISOR_GUTIAN = 5002  # 古田县
FILER = 7654321
FILER_NAME, FILER_PHONE = "林秀英", "13999887766"
START = datetime(2026, 11, 2, 9, tzinfo=CHINA_TZ)  # a Monday
NOW = datetime(2026, 12, 1, 9, tzinfo=CHINA_TZ)
MINQING = {"region": "闽清县", "parents": ("福州市", "福建省")}
GUTIAN = {"region": "古田县", "parents": ("宁德市", "福建省")}
LIUYANG = {"region": "浏阳市", "parents": ("长沙市", "湖南省")}
INJECTED = '=HYPERLINK("http://example.com") 我的电话 138 1234 5678，身份证 350124199001011234，房子漏雨没人管'


@dataclass
class Cases:
    tickets: dict[str, str]  # name in this test → ticket


async def put_cases_on_file(h: Any, clock: Clock) -> Cases:
    """Eleven cases in three counties, worked on by staff, a supervisor, the system and the filers."""
    repo = h.storage.cases.repo
    roles = h.storage.cases.access.roles
    await roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
    await roles.grant(SUPERVISOR_FUZHOU, "supervisor", region="福州市", granted_by=ADMIN)
    await roles.grant(SUPERVISOR_GUTIAN, "supervisor", region="古田县", granted_by=ADMIN)
    staff, supervisor, filer = (
        Actor(ActorKind.STAFF, STAFF),
        Actor(ActorKind.SUPERVISOR, SUPERVISOR_FUZHOU),
        Actor(ActorKind.RESIDENT, FILER),
    )
    tickets: dict[str, str] = {}

    async def file(name: str, units: list[str], place: dict[str, Any], **kwargs: Any) -> str:
        clock.advance(timedelta(minutes=7))
        kwargs.setdefault("resident", FILER)
        tickets[name] = await file_case(
            h.storage,
            description=kwargs.pop("description", f"{name}：补助没有发放"),
            units=units,
            contact_name=FILER_NAME,
            contact_phone=FILER_PHONE,
            **place,
            **kwargs,
        )
        return tickets[name]

    async def step(ticket: str, action: str, actor: Actor, **kwargs: Any) -> None:
        clock.advance(timedelta(minutes=30))
        if action in (REPLY, FEEDBACK, REMIND, ESCALATE):
            await repo.append_event(ticket, actor, action, kwargs.get("payload"))
        else:
            await repo.transition(ticket, action, actor, **kwargs)

    clock.set(START)
    c1 = await file("c1", ["县住建局"], MINQING)
    c2 = await file("c2", ["县住建局"], MINQING)
    await file("c3", ["县教育局"], MINQING, category="education_subsidy")  # nobody acts on it
    c4 = await file("c4", ["县民政局"], MINQING, category="dibao_social_assistance")
    c5 = await file("c5", ["县住建局"], GUTIAN)
    c6 = await file("c6", ["市扶贫办"], LIUYANG, category="fund_misuse", resident=None)
    c7 = await file("c7", ["县住建局"], GUTIAN)
    c8 = await file("c8", ["县住建局", "县财政局"], MINQING)
    c9 = await file("c9", ["县教育局"], MINQING, category="education_subsidy")

    await step(c1, "accepted", staff)
    await step(c1, REPLY, staff, payload={"public": "已安排人员上门核实。"})
    await step(c1, "resolved", staff, payload={"public": "补助已发放。"})
    await step(c1, FEEDBACK, filer, payload={"rating": "satisfied"})
    await step(c1, "closed", SYSTEM)
    await step(c2, "accepted", staff)
    await step(c2, "resolved", staff, payload={"public": "已处理。"})
    await step(c2, FEEDBACK, filer, payload={"rating": "unsatisfied"})
    await step(c2, "reopened", SYSTEM)
    await step(c4, "rejected", staff, payload={"public": "不属于本单位职责。"})
    await step(
        c5, "transferred", staff, units=["县农业农村局"], payload={"reason": "属农业农村局职责"}
    )
    await step(c5, "accepted", staff)
    await step(c6, "accepted", supervisor)
    await step(c6, "resolved", staff, payload={"public": "资金已追回。"})
    await step(c6, FEEDBACK, Actor(ActorKind.RESIDENT), payload={"rating": "basically_satisfied"})
    await step(c6, "closed", SYSTEM)
    await step(c7, "duplicate", staff)
    await step(c8, "accepted", staff)
    await step(c8, "resolved", staff)
    await step(c8, FEEDBACK, filer, payload={"rating": "unsatisfied"})
    await step(c8, "reopened", SYSTEM)
    await step(c8, "resolved", staff, payload={"public": "重新核实后已发放。"})
    await step(c8, FEEDBACK, filer, payload={"rating": "satisfied"})
    await step(c9, REMIND, SYSTEM, payload={"deadline": "accept", "due": "x"})
    await step(c9, ESCALATE, SYSTEM, payload={"reason": "overdue_accept"})

    clock.set(NOW)
    await file("c11", ["县住建局"], MINQING, description=INJECTED)
    c12 = await file("c12", ["县住建局"], GUTIAN)
    await step(c12, "accepted", staff)
    await step(c12, "in_progress", staff)
    return Cases(tickets)


# ------------------------------------------------------------------ the same figures, computed here


async def expected_figures(h: Any, now: datetime, region: str | None = None) -> dict[str, Any]:
    """Counts straight from the tables (every row read, nothing from storage/reports.py)."""
    async with h.storage.db.session() as session:
        cases = (
            await session.execute(
                select(
                    Complaint.id,
                    Complaint.status,
                    Complaint.category,
                    Complaint.region,
                    Complaint.region_path,
                    Complaint.accept_due_at,
                    Complaint.resolve_due_at,
                )
            )
        ).all()
        events = (
            await session.execute(
                select(
                    ComplaintEvent.complaint_id,
                    ComplaintEvent.actor_kind,
                    ComplaintEvent.action,
                    ComplaintEvent.to_status,
                    ComplaintEvent.payload,
                ).order_by(ComplaintEvent.id)
            )
        ).all()
        primary = {
            row.complaint_id: (row.name, row.region)
            for row in await session.execute(
                select(ComplaintUnit.complaint_id, Unit.name, Unit.region)
                .join(Unit, Unit.id == ComplaintUnit.unit_id)
                .where(ComplaintUnit.position == 0)
            )
        }
    cases = [c for c in cases if region is None or f"/{region}/" in c.region_path]
    ids = {c.id for c in cases}
    events = [e for e in events if e.complaint_id in ids]
    last_status = {e.complaint_id: e.to_status for e in events if e.to_status is not None}
    last_rating = {e.complaint_id: e.payload["rating"] for e in events if e.action == "feedback"}
    responded = {
        e.complaint_id
        for e in events
        if e.actor_kind in ("staff", "supervisor")
        and e.action
        in ("accepted", "in_progress", "transferred", "rejected", "duplicate", "reply", "resolved")
    }
    overdue_accept = [
        c for c in cases if c.status in ("submitted", "transferred") and c.accept_due_at < now
    ]
    overdue_resolve = [
        c
        for c in cases
        if c.status in ("accepted", "in_progress", "reopened") and c.resolve_due_at < now
    ]
    countable = [s for s in last_status.values() if s not in ("rejected", "duplicate")]
    return {
        "total": len(cases),
        "status": Counter(c.status.value for c in cases),
        "category": Counter(c.category for c in cases),
        "region": Counter(c.region for c in cases),
        "unit": Counter(primary[c.id] for c in cases),
        "responded": (len(responded), len(cases)),
        "resolved": (sum(s in ("resolved", "closed") for s in countable), len(countable)),
        "satisfied": (
            sum(r in ("satisfied", "basically_satisfied") for r in last_rating.values()),
            len(last_rating),
        ),
        "overdue": (len(overdue_accept), len(overdue_resolve)),
    }


def rate(pair: tuple[int, int]) -> str:
    count, total = pair
    return f"{count}/{total}，{100 * count / total:.1f}%"


def assert_stats_show(text: str, figures: dict[str, Any], h: Any) -> None:
    labels = {name: c.label for name, c in h.storage.cases.router.lexicon.categories.items()}
    assert f"工单总数：{figures['total']} 件" in text
    for status, n in figures["status"].items():
        assert f"{t.STATUS_NAMES[status]}：{n} 件" in text, status
    for category, n in figures["category"].items():
        assert f"{labels[category]}：{n} 件" in text, category
    for region, n in figures["region"].items():
        assert f"{region}：{n} 件" in text, region
    regions_of = Counter(name for name, _ in figures["unit"])
    for (name, region), n in figures["unit"].items():
        # One unit name in several counties is told apart by its county.
        shown = f"{name}（{region}）" if regions_of[name] > 1 else name
        assert f"{shown}：{n} 件" in text, shown
    assert f"响应率：{rate(figures['responded'])}" in text
    assert f"解决率：{rate(figures['resolved'])}" in text
    assert f"满意率：{rate(figures['satisfied'])}" in text
    assert f"受理超期 {figures['overdue'][0]} 件，办结超期 {figures['overdue'][1]} 件" in text
    # Each listed overdue case names its deadline as the case card and the console do.
    for name, n in zip(("受理时限", "办结时限"), figures["overdue"], strict=True):
        assert bool(re.search(rf"{name} \d{{4}}-\d\d-\d\d \d\d:\d\d", text)) == (n > 0), name
    assert "说明：响应率＝" in text and "满意率＝" in text


async def test_stats_match_the_tables_for_an_admin_and_a_supervisor(policy_kb, migrated_url):
    clock = Clock(START)
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        cases = await put_cases_on_file(h, clock)

        everything = await expected_figures(h, clock())
        # What the story above should come to, so that the comparison is not vacuous.
        assert everything["total"] == 11 and everything["responded"] == (8, 11)
        assert everything["resolved"] == (3, 9) and everything["satisfied"] == (3, 4)
        assert everything["overdue"] == (2, 2)
        admin_view = await h.ask(ADMIN, "/stats")
        assert t.SCOPE_ALL in admin_view.text
        assert_stats_show(admin_view.text, everything, h)
        assert "县住建局（闽清县）" in admin_view.text and "县住建局（古田县）" in admin_view.text
        assert cases.tickets["c3"] in admin_view.text and cases.tickets["c9"] in admin_view.text

        fuzhou = await expected_figures(h, clock(), region="福州市")
        assert fuzhou["total"] == 7 and fuzhou["responded"] == (4, 7)
        supervisor_view = await h.ask(SUPERVISOR_FUZHOU, "/stats")
        assert "范围：福州市" in supervisor_view.text
        assert_stats_show(supervisor_view.text, fuzhou, h)
        assert (
            "古田县" not in supervisor_view.text and cases.tickets["c5"] not in supervisor_view.text
        )

        # November only, as a supervisor asks for it: the two cases filed on 1 December drop out.
        november = await h.ask(SUPERVISOR_FUZHOU, "/stats 2026-11-01 2026-11-30")
        assert (
            "工单总数：6 件" in november.text
            and "提交日期从 2026-11-01，到 2026-11-30" in november.text
        )
        assert "待受理：2 件" in november.text

        nothing = await h.ask(SUPERVISOR_GUTIAN, "/stats 地区=闽清县")
        assert nothing.text.startswith("没有符合条件的工单")


async def test_export_is_a_csv_excel_opens_without_identity_and_with_masked_numbers(
    policy_kb, migrated_url
):
    clock = Clock(START)
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        cases = await put_cases_on_file(h, clock)
        tickets = cases.tickets

        document = await h.ask(ADMIN, "/export")
        assert document.method == "sendDocument"
        assert "已导出 11 件工单" in document.message["caption"]
        raw = h.standin.file_content(document.message["document"]["file_id"])
        assert raw.startswith(b"\xef\xbb\xbf")
        assert document.message["document"]["file_name"] == "投诉工单_20261201.csv"
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        assert rows[0] == export_texts.EXPORT_COLUMNS
        by_ticket = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
        assert len(rows) - 1 == len(by_ticket) == 11 and set(by_ticket) == set(tickets.values())

        injected = by_ticket[tickets["c11"]]
        assert injected["工单号"] == tickets["c11"] and injected["乡镇"] == injected["村"] == ""
        assert (
            injected["状态"] == "待受理"
            and injected["类别"] == "危房改造"
            and injected["地区"] == "闽清县"
        )
        assert (
            injected["责任单位"] == "县住建局"
            and injected["是否匿名"] == "否"
            and injected["是否超期"] == "否"
        )
        assert injected["提交时间"] == (NOW + timedelta(minutes=7)).strftime("%Y-%m-%d %H:%M")
        assert injected["诉求内容"].startswith(
            "'=HYPERLINK"
        )  # shown as text, never run as a formula
        assert "138****5678" in injected["诉求内容"] and "房子漏雨没人管" in injected["诉求内容"]
        assert (
            "1234 5678" not in injected["诉求内容"] and "199001011234" not in injected["诉求内容"]
        )
        text = raw.decode("utf-8-sig")
        assert FILER_NAME not in text and FILER_PHONE not in text and str(FILER) not in text

        record = await h.storage.cases.repo.get(tickets["c8"])
        reworked = by_ticket[tickets["c8"]]
        assert (
            reworked["协办单位"] == "县财政局"
            and reworked["回访评价"] == "满意"
            and reworked["状态"] == "已办结"
        )
        assert reworked["办结时间"] == record.resolved_at.astimezone(CHINA_TZ).strftime(
            "%Y-%m-%d %H:%M"
        )
        assert reworked["受理时限"] == record.accept_due_at.astimezone(CHINA_TZ).strftime(
            "%Y-%m-%d %H:%M"
        )
        assert reworked["办结时限"] == record.resolve_due_at.astimezone(CHINA_TZ).strftime(
            "%Y-%m-%d %H:%M"
        )
        assert by_ticket[tickets["c3"]]["是否超期"] == "是（受理超期）"
        assert by_ticket[tickets["c2"]]["是否超期"] == "是（办结超期）"
        assert by_ticket[tickets["c2"]]["回访评价"] == "不满意"
        assert (
            by_ticket[tickets["c6"]]["是否匿名"] == "是"
            and by_ticket[tickets["c6"]]["回访评价"] == "基本满意"
        )
        assert by_ticket[tickets["c5"]]["责任单位"] == "县农业农村局"

        async def exported(user: int, command: str) -> set[str]:
            reply = await h.ask(user, command)
            assert reply.method == "sendDocument", reply.text
            content = h.standin.file_content(reply.message["document"]["file_id"]).decode(
                "utf-8-sig"
            )
            return {row[0] for row in list(csv.reader(io.StringIO(content, newline="")))[1:]}

        names = lambda *ns: {tickets[n] for n in ns}  # noqa: E731
        assert await exported(ADMIN, "/export 单位=县住建局 从=2026-11-01 到=2026-11-30") == names(
            "c1", "c2", "c7", "c8"
        )
        assert await exported(ADMIN, "/export 状态=未办结 地区=闽清县") == names(
            "c2", "c3", "c9", "c11"
        )
        assert await exported(ADMIN, "/export 状态=已受理") == names("c5")
        assert await exported(ADMIN, "/export 2026-12-01") == names("c11", "c12")
        assert await exported(ADMIN, "/export 类别=教育资助") == names("c3", "c9")
        assert await exported(SUPERVISOR_GUTIAN, "/export") == names("c5", "c7", "c12")

        empty = await h.ask(ADMIN, "/export 类别=生态护林")
        assert empty.method == "sendMessage" and empty.text.startswith("没有符合条件的工单")

        # Large exports are read a few cases at a time: every case once, in filing order.
        paged = [row async for row in CaseReports(h.storage.db).case_rows(CaseFilter(), batch=3)]
        assert [row.ticket for row in paged] == [row[0] for row in rows[1:]]
        assert paged[[r.ticket for r in paged].index(tickets["c8"])].units == (
            "县住建局",
            "县财政局",
        )


async def test_staff_and_residents_are_refused_and_bad_filters_explained(policy_kb, migrated_url):
    clock = Clock(START)
    async with case_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as h:
        await h.storage.cases.access.roles.grant(
            STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN
        )
        await file_case(h.storage, description="补助没有发放", units=["县住建局"])
        for user in (STAFF, FILER):
            for command in ("/stats", "/export"):
                refusal = await h.ask(user, command)
                assert refusal.text == texts.REFUSED and refusal.method == "sendMessage"
        assert await h.quiet(STAFF) == [] and await h.quiet(FILER) == []

        bad_date = await h.ask(ADMIN, "/stats 从=2026-13-01")
        assert (
            "从=2026-13-01" in bad_date.text
            and t.WHY_BAD_DATE in bad_date.text
            and "筛选条件的写法" in bad_date.text
        )
        unknown = await h.ask(ADMIN, "/export 颜色=<红>")
        assert "颜色=<红>" in unknown.text and t.WHY_UNKNOWN_KEY in unknown.text
        backwards = await h.ask(ADMIN, "/stats 2026-11-30 2026-11-01")
        assert t.WHY_DATE_ORDER in backwards.text
        status = await h.ask(ADMIN, "/export 状态=差不多")
        assert t.WHY_UNKNOWN_STATUS in status.text
        assert not h.standin.calls_to("sendDocument")

        # Nothing rated yet: no rate made up from nothing.
        quiet_month = await h.ask(ADMIN, "/stats")
        assert "响应率：0/1，0.0%" in quiet_month.text and "满意率：—" in quiet_month.text
        assert "没有超期的工单" in quiet_month.text


@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\t=1"])
def test_cells_a_spreadsheet_would_run_are_kept_as_text(text):
    assert safe_cell(text) == "'" + text and safe_cell("补助 = 0") == "补助 = 0"


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        '＝HYPERLINK("x")',
        "＋1",
        "－1",
        "＠SUM(A1)",
        " =1+1",
        "\u3000＝1",
        "\n=1",
    ],
)
def test_cells_a_spreadsheet_would_run_are_defused_in_both_widths(value):
    assert safe_cell(value).startswith("'")


@pytest.mark.parametrize("value", ["房子漏雨没人管", "2026-11-23", "138****5678", ""])
def test_ordinary_cells_are_left_alone(value):
    assert safe_cell(value) == value
