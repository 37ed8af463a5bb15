"""The console's dashboard and admin pages over HTTP, on SQLite and PostgreSQL: who may open
them, what they show, and forms that are checked before anything is written (CSRF token,
user id, region, a unit the region's routing knows)."""

from __future__ import annotations

import csv
import errno
import io
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from handlers import admin_texts
from knowledge import index, upkeep_texts
from knowledge.manifest import DEFAULT_CORPUS
from knowledge.readers import MAX_TEXT_CHARS
from knowledge.service import KnowledgeBase
from storage.workdays import CHINA_TZ
from tests.casework_support import file_case
from tests.telegram_harness import Clock
from tests.web_support import console_bot
from web import texts as t

ADMIN, STAFF, SUPERVISOR, OTHER_SUPERVISOR = 1, 2001, 2101, 2102
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)
BEES = "一、扶持对象\n(一)养蜂补助\n对发展中华蜜蜂养殖的建档立卡贫困户，每箱蜜蜂补助150元，每户最多补助20箱。\n"


async def test_dashboard_shows_a_supervisor_their_regions_and_refuses_staff(
    policy_kb, migrated_url
):
    clock = Clock(NOW)
    async with console_bot(policy_kb, migrated_url, clock=clock, admin_ids=[ADMIN]) as c:
        await c.roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
        await c.roles.grant(SUPERVISOR, "supervisor", region="闽清县", granted_by=ADMIN)
        await c.roles.grant(OTHER_SUPERVISOR, "supervisor", region="淮安区", granted_by=ADMIN)
        for _ in range(3):
            await file_case(
                c.storage, description="危房改造补助没有发到户，村里说还要等。", units=["县住建局"]
            )
        await file_case(
            c.storage,
            description="低保评定不公平，村干部亲戚都评上了。",
            units=["区民政局"],
            region="淮安区",
            category="identification_unfair",
            parents=("淮安市", "江苏省"),
        )
        await file_case(  # a second 县住建局, of another county
            c.storage,
            description="危房改造的房子刚盖好一年墙就裂了。",
            units=["县住建局"],
            region="新平县",
            parents=("玉溪市", "云南省"),
        )
        clock.advance(timedelta(days=3))  # past the accept deadline: all five overdue

        mine = await (await c.signed_in(SUPERVISOR)).get("/dashboard")
        assert mine.status == 200
        assert re.search(r'id="total">3<', mine.text) and "范围：闽清县" in mine.text
        assert t.OVERDUE_SUMMARY.format(accept=3, resolve=0) in mine.text
        assert mine.text.count("<td>受理时限</td>") == 3
        assert '<svg class="chart"' in mine.text and "新收 3" in mine.text
        for definition in t.RATE_DEFINITIONS.values():
            assert definition in mine.text
        assert "淮安区" not in mine.text.split("按地区")[1]
        assert "县住建局" in mine.text and "县住建局（" not in mine.text

        everything = await (await c.signed_in(ADMIN)).get("/dashboard")
        assert re.search(r'id="total">5<', everything.text) and t.SCOPE_ALL in everything.text
        # One name, two counties' units: each is named with its region, as in the bot's /stats.
        assert "县住建局（闽清县）" in everything.text and "县住建局（新平县）" in everything.text

        sheet = await (await c.signed_in(SUPERVISOR)).get("/dashboard/export.csv")
        assert sheet.status == 200 and sheet.headers["Content-Type"].startswith("text/csv")
        assert (
            "filename*=UTF-8''%E6%8A%95%E8%AF%89%E5%B7%A5%E5%8D%95_20261126.csv"
            in sheet.headers["Content-Disposition"]
        )
        rows = list(csv.reader(io.StringIO(sheet.body.decode("utf-8-sig"))))
        assert rows[0][:3] == ["工单号", "状态", "类别"] and len(rows) == 4
        assert {row[3] for row in rows[1:]} == {"闽清县"} and {row[12] for row in rows[1:]} == {
            "是（受理超期）"
        }
        assert "张大山" not in sheet.text and "13812345678" not in sheet.text

        staff = await c.signed_in(STAFF)
        for path in ("/dashboard", "/dashboard/export.csv"):
            page = await staff.get(path)
            assert page.status == 403 and t.REFUSED in page.text


async def test_only_admins_open_the_admin_pages(policy_kb, migrated_url):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        await c.roles.grant(SUPERVISOR, "supervisor", region="闽清县", granted_by=ADMIN)
        supervisor = await c.signed_in(SUPERVISOR)
        csrf = await supervisor.csrf("/dashboard")
        for path in ("/admin/roles", "/admin/documents"):
            assert (await supervisor.get(path)).status == 403
        for path, data in (
            ("/admin/roles/grant", {"user": "5001", "role": "admin"}),
            ("/admin/roles/revoke", {"user": str(SUPERVISOR), "role": "supervisor"}),
            ("/admin/reload", {}),
            ("/admin/documents/L001/remove", {}),
        ):
            page = await supervisor.post(path, {"csrf": csrf, **data})
            assert page.status == 403, path
        assert sorted(g.user_id for g in await c.roles.all_active()) == [SUPERVISOR]


async def test_granting_checks_the_unit_against_routing_and_needs_the_csrf_token(
    policy_kb, migrated_url
):
    async with console_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        admin = await c.signed_in(ADMIN)
        csrf = await admin.csrf("/admin/roles")
        grant = {"user": str(STAFF), "role": "staff", "region": "闽清", "unit": "县住建局"}

        for token in (None, "", "forged-token"):
            data = {**grant, **({"csrf": token} if token is not None else {})}
            page = await admin.post("/admin/roles/grant", data)
            assert page.status == 403 and t.CSRF_REFUSED in page.text
        assert await c.roles.all_active() == []

        typo = await admin.post("/admin/roles/grant", {**grant, "csrf": csrf, "unit": "县住键局"})
        assert (
            typo.status == 422 and "「县住键局」这个单位" in typo.text and "县住建局" in typo.text
        )
        nowhere = await admin.post(
            "/admin/roles/grant", {**grant, "csrf": csrf, "region": "火星县"}
        )
        assert nowhere.status == 422 and "没有「火星县」这个地区" in nowhere.text
        bad_id = await admin.post("/admin/roles/grant", {**grant, "csrf": csrf, "user": "12ab"})
        assert bad_id.status == 422 and t.BAD_USER_ID.format(value="12ab") in bad_id.text
        assert await c.roles.all_active() == []

        done = await admin.post("/admin/roles/grant", {**grant, "csrf": csrf})
        assert (
            done.status == 200
            and t.GRANTED.format(user=STAFF, role="工作人员", scope="（闽清县 县住建局）")
            in done.text
        )
        [g] = await c.roles.all_active()
        assert (g.user_id, g.role.value, g.region, g.unit.name, g.granted_by) == (
            STAFF,
            "staff",
            "闽清县",
            "县住建局",
            ADMIN,
        )

        revoked = await admin.post(
            "/admin/roles/revoke", {"csrf": csrf, "user": str(STAFF), "role": "staff"}
        )
        assert (
            revoked.status == 200
            and t.REVOKED.format(user=STAFF, role="工作人员", count=1) in revoked.text
        )
        assert await c.roles.all_active() == []
        configured = await admin.post(
            "/admin/roles/revoke", {"csrf": csrf, "user": str(ADMIN), "role": "admin"}
        )
        assert (
            configured.status == 409
            and t.REVOKE_CONFIGURED_ADMIN.format(user=ADMIN, role="管理员") in configured.text
        )


@pytest.fixture
def kb(policy_data_copy: Path) -> KnowledgeBase:
    """A knowledge base of this test's own, on a copy of the built shipped corpus."""
    return KnowledgeBase.open(policy_data_copy)


def _upload(csrf: str, name: str, content: bytes, region: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf", csrf)
    form.add_field("region", region)
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    return form


async def test_documents_are_uploaded_checked_and_removed(kb, database):
    # About the library (files), not the database: SQLite only, as the whole index rebuilds.
    async with console_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        admin = await c.signed_in(ADMIN)
        listing = await admin.get("/admin/documents")
        shipped = len(kb.documents)
        assert listing.status == 200 and listing.text.count(t.DOCS_SHIPPED) == shipped
        csrf = listing.csrf

        page = await admin.post(
            "/admin/documents", _upload(csrf, "通知.doc", b"\xd0\xcf\x11\xe0", "湖北省")
        )
        assert page.status == 422 and t.DOC_UNSUPPORTED.format(name="通知.doc") in page.text
        page = await admin.post("/admin/documents", _upload(csrf, "空白.txt", b"   \n", "湖北省"))
        assert page.status == 422 and "未能加入《空白.txt》" in page.text
        too_long = b"a" * (MAX_TEXT_CHARS + 1)
        page = await admin.post("/admin/documents", _upload(csrf, "太长.txt", too_long, "湖北省"))
        assert page.status == 422 and "未能加入《太长.txt》：文件内容太大" in page.text
        page = await admin.post(
            "/admin/documents", _upload(csrf, "养蜂.txt", BEES.encode(), "火星县")
        )
        assert page.status == 422 and "没有「火星县」这个地区" in page.text
        assert kb.library.entries() == [] and len(kb.documents) == shipped

        page = await admin.post(
            "/admin/documents", _upload(csrf, "养蜂补助.txt", BEES.encode(), "湖北省")
        )
        assert page.status == 200 and "已加入知识库" in page.text and "自检" in page.text
        [entry] = kb.library.entries()
        assert entry.added_by == ADMIN and entry.document.region == "湖北省"
        assert "150元" in kb.ask("养蜜蜂每箱补助多少钱", "湖北省").text

        shipped_id = kb.documents[0].id
        page = await admin.post(f"/admin/documents/{shipped_id}/remove", {"csrf": csrf})
        assert page.status == 404 and len(kb.documents) == shipped + 1
        page = await admin.post(f"/admin/documents/{entry.document.id}/remove", {"csrf": csrf})
        assert (
            page.status == 200
            and t.REMOVED.format(id=entry.document.id, title=entry.document.title) in page.text
        )
        assert kb.library.entries() == [] and len(kb.documents) == shipped

        page = await admin.post("/admin/reload", {"csrf": csrf})
        assert (
            page.status == 200
            and t.RELOAD_DONE.format(documents=shipped, passages=kb.passage_count) in page.text
        )


async def _rebuild_failure_told(c, kb: KnowledgeBase) -> tuple[str, str]:
    """What the admin reads when a rebuild fails: after /reload in Telegram, and on the page
    after 重建 in the console; residents are answered from the old index all along."""
    version, answer = kb.state.version, kb.ask("危房改造有什么补助", "闽清县").text
    assert (await c.bot.ask(ADMIN, "/reload")).text == admin_texts.RELOAD_STARTED
    told = (await c.bot.reply(ADMIN, 60)).text
    admin = await c.signed_in(ADMIN)
    csrf = (await admin.get("/admin/documents")).csrf
    page = await admin.post("/admin/reload", {"csrf": csrf})
    assert page.status == 500
    assert kb.state.version == version
    assert kb.ask("危房改造有什么补助", "闽清县").text == answer
    return told, page.text


async def test_a_rebuild_without_policy_text_is_explained_alike_in_telegram_and_the_console(
    policy_data_copy, tmp_path, database
):
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    kb = KnowledgeBase.open(policy_data_copy, corpus)
    for path in corpus.glob("*.txt"):
        path.write_text("", encoding="utf-8")
    async with console_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        told, page = await _rebuild_failure_told(c, kb)
    said = upkeep_texts.FAILURE_NO_DOCUMENTS
    assert told == f"重建失败，仍在使用原来的知识库。\n原因：{said}"
    assert t.RELOAD_FAILED.format(reason=said) in page


@pytest.mark.parametrize(
    "failure, said",
    [
        (
            OSError(errno.ENOSPC, "No space left on device", "/srv/fupin/data/index/9f3c-v7"),
            upkeep_texts.FAILURE_DISK_FULL,
        ),
        (KeyError("/srv/fupin/data/index/9f3c-v7/postings"), upkeep_texts.FAILURE_OTHER),
    ],
)
async def test_a_failed_rebuild_is_explained_alike_without_paths_or_program_details(
    kb, database, monkeypatch, failure, said
):
    # A full disk cannot be made in a test: the index build raises what a full disk raises.
    def build(*args, **kwargs):
        raise failure

    monkeypatch.setattr(index, "build", build)
    async with console_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        told, page = await _rebuild_failure_told(c, kb)
    assert told == f"重建失败，仍在使用原来的知识库。\n原因：{said}"
    assert t.RELOAD_FAILED.format(reason=said) in page
    for shown in (told, page):
        assert "/srv" not in shown and "Errno" not in shown
        assert type(failure).__name__ not in shown


@pytest.mark.parametrize("words", ["闽" * 31 + "县", "一 二 三 四 五 六 七"])
async def test_words_that_are_no_region_refuse_a_document_alike_in_both(kb, database, words):
    async with console_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as c:
        c.bot.standin.push_document(ADMIN, "养蜂.txt", BEES.encode(), caption=words)
        told = (await c.bot.reply(ADMIN)).text
        admin = await c.signed_in(ADMIN)
        csrf = (await admin.get("/admin/documents")).csrf
        page = await admin.post("/admin/documents", _upload(csrf, "养蜂.txt", BEES.encode(), words))
    assert told == f"地区名称「{words[:40]}」不对，请只写地区名（最多 30 个字）。文件未保存。"
    assert page.status == 422 and told in page.text
    assert kb.library.entries() == []
