"""Admins keep the knowledge current from Telegram: /reload while residents ask, documents sent
as files, /docs and /remove. A knowledge base of its own on a temporary data dir (these tests
change it), the real Application over HTTP. A SQLite file only: the documents are files, and each
test rebuilds the index, too slow to repeat for a database these tests do not exercise."""

from __future__ import annotations

import asyncio
import io
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import docx
import pytest

from handlers import admin_knowledge, texts
from knowledge.manifest import DEFAULT_CORPUS
from knowledge.models import SUGGEST
from knowledge.service import LIBRARY_DIR, KnowledgeBase
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot
from tests.telegram_harness import Clock

ADMIN, STAFF, RESIDENT = 1, 2001, 3001
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)
QUESTIONS = (
    "看病能报销多少",
    "危房改造有什么补助",
    "孩子上学有什么补助",
    "易地扶贫搬迁人均建房面积不超过多少",
    "光伏扶贫怎么收益",
    "贫困户小额信贷怎么贷",
)
BEES = "一、扶持对象\n(一)养蜂补助\n对发展中华蜜蜂养殖的建档立卡贫困户，每箱蜜蜂补助150元，每户最多补助20箱。\n"
BEES_QUESTION = "养蜜蜂每箱补助多少钱"
GOATS = "一、山羊养殖\n对新建标准化羊舍的脱贫户，每平方米羊舍补助80元，由乡镇畜牧站验收。\n"
GOATS_QUESTION = "建羊舍每平方米补助多少"
TEA = (
    "<html><head><title>闽侯县茶叶扶贫办法</title></head><body><div class='nav'>首页 > 政策</div>"
    "<h1>闽侯县茶叶扶贫办法</h1><p>一、茶园补助</p><p>对新开垦生态茶园的脱贫户，每亩茶园补助600元。</p>"
    "</body></html>"
)
TEA_QUESTION = "新开茶园每亩补助多少"


@pytest.fixture
def kb(policy_data_copy: Path) -> KnowledgeBase:
    """A knowledge base of this test's own, on a copy of the built shipped corpus."""
    return KnowledgeBase.open(policy_data_copy)


def _docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def _until(h, user: int, prefix: str, timeout: float = 60.0):
    """The next reply starting with `prefix` (a rebuild's report comes after its notice)."""
    reply = await h.reply(user, timeout)
    assert reply.text.startswith(prefix), reply.text
    return reply


async def answered(h, user: int, question: str):
    """The answer the resident reads, taking the first of the bot's suggestions when it is unsure."""
    reply = await h.ask(user, question)
    if reply.text == re.sub(r"<[^>]+>", "", texts.SUGGEST):
        reply = await h.click(user, reply, reply.button_texts[0])
    return reply


async def choose_place(h, user: int, place: str) -> None:
    """The resident picks their place with /region, as most do after /start."""
    await h.press(user, await h.ask(user, "/region"), place)
    await h.reply(user)  # the prompt turned into a confirmation


def shown(answer) -> str:
    """What the resident reads for `answer`: its text, or the "您问的是不是" prompt above the
    suggestion buttons when the bot is not sure."""
    return re.sub(r"<[^>]+>", "", texts.SUGGEST) if answer.kind == SUGGEST else answer.text


async def test_a_reload_during_a_stream_of_questions_loses_no_answer(kb, database, tmp_path):
    place = "闽清县"  # residents chose their place with /start, so each question has one answer
    before = {q: shown(kb.ask(q, place)) for q in QUESTIONS}
    assert not any(kb.ask(q, place).abstained for q in QUESTIONS)
    old_state = kb.state
    # A document placed in the library (as if copied in by hand): /reload has a real index to build.
    upload = tmp_path / "bees.txt"
    upload.write_text(BEES, encoding="utf-8")
    kb.library.add(
        upload,
        original_name="养蜂补助.txt",
        region="湖北省",
        added_by=None,
        added_at=NOW.isoformat(),
    )
    residents = [RESIDENT + i for i in range(12)]
    async with case_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        asked: dict[int, list[str]] = {r: [] for r in residents}
        for resident in residents:
            await choose_place(h, resident, place)

        def ask_all(round_: int) -> None:
            # Each resident repeats one question, so no reply depends on the chat's earlier topic.
            for i, resident in enumerate(residents):
                question = QUESTIONS[i % len(QUESTIONS)]
                asked[resident].append(question)
                h.standin.push_text(resident, question)

        ask_all(0)
        assert (await h.ask(ADMIN, "/reload")).text == admin_knowledge.texts.RELOAD_STARTED
        ask_all(1)  # during the rebuild, as the second /reload's answer shows
        assert (await h.ask(ADMIN, "/reload")).text == "已在重建，请稍候。完成后会告诉您结果。"
        rounds = 2
        while kb.state is old_state:  # keep asking until the new index is in use
            ask_all(rounds)
            rounds += 1
            await asyncio.sleep(0.3)
        ask_all(rounds)

        report = await h.reply(ADMIN, 60)
        answers = {r: [(await h.reply(r, 30)).text for _ in asked[r]] for r in residents}
        after = {q: shown(kb.ask(q, place)) for q in QUESTIONS}
        for resident in residents:
            # One resident's questions are answered concurrently, so their replies may come in any order.
            allowed = {text for q in asked[resident] for text in (before[q], after[q])}
            assert set(answers[resident]) <= allowed, resident
            assert await h.quiet(resident, 0.05) == []
        assert report.text.startswith(f"知识库已重建：政策文件 6 份，段落 {kb.passage_count} 段。")
        assert "未能读取的文件" not in report.text
        assert "✅ 看病能报销多少 → 《" in report.text and "✅ 危房改造补助 → 《" in report.text
        assert "✅ 孩子上学有什么补助 → 《" in report.text
        assert (
            "150元" in (await h.ask(RESIDENT + 100, BEES_QUESTION)).text
        )  # someone new to the bot
        # The rebuild is over: a new /reload is accepted again.
        assert (await h.ask(ADMIN, "/reload")).text == admin_knowledge.texts.RELOAD_STARTED
        assert (await h.reply(ADMIN, 60)).text.startswith("知识库已重建")


async def test_an_admin_adds_lists_and_removes_documents(kb, database):
    shipped = {p.name: p.read_bytes() for p in DEFAULT_CORPUS.iterdir()}
    async with case_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        assert (await h.ask(RESIDENT, BEES_QUESTION)).text.startswith("抱歉") or "150元" not in (
            await h.ask(RESIDENT, BEES_QUESTION)
        ).text

        # A text file with its region as the caption.
        h.standin.push_document(ADMIN, "镇头镇养蜂补助办法.txt", BEES.encode(), caption="镇头镇")
        await _until(
            h, ADMIN, "已收到《镇头镇养蜂补助办法.txt》（镇头镇），正在检查文件并重建知识库"
        )
        report = await _until(
            h, ADMIN, "已加入知识库：L001《镇头镇养蜂补助办法》（镇头镇），1 段。"
        )
        assert "知识库已重建：政策文件 6 份" in report.text and "✅ 看病能报销多少" in report.text
        answer = await h.ask(RESIDENT, BEES_QUESTION)
        assert "150元" in answer.text and "《镇头镇养蜂补助办法》" in answer.text

        # A Word file without a caption: the region is asked for with buttons.
        h.standin.push_document(ADMIN, "山羊养殖补助.docx", _docx(GOATS))
        ask = await h.reply(ADMIN)
        assert ask.text.startswith("《山羊养殖补助.docx》适用于哪个地区？请点选。")
        assert (
            ask.button_texts[:3] == ["闽清县", "淮安区", "湖北省"]
            and ask.button_texts[-1] == "取消"
        )
        await h.press(ADMIN, ask, "湖北省")
        await _until(h, ADMIN, "")  # the buttons go
        await _until(h, ADMIN, "已收到《山羊养殖补助.docx》（湖北省）")
        await _until(h, ADMIN, "已加入知识库：L002《山羊养殖补助》（湖北省）")
        assert "80元" in (await h.ask(RESIDENT, GOATS_QUESTION)).text
        # Buttons under an earlier file never choose for a later one; 取消 keeps nothing.
        h.standin.push_document(ADMIN, "甲.txt", BEES.encode())
        first = await h.reply(ADMIN)
        h.standin.push_document(ADMIN, "乙.txt", BEES.encode())
        second = await h.reply(ADMIN)
        query = await h.press(ADMIN, first, "湖北省")
        assert (await h.wait_answered(query))["text"] == "这个选择已过期，请重新发送文件。"
        assert (await h.click(ADMIN, second, "取消")).text == "已取消，文件未保存。"
        assert [e.document.id for e in kb.library.entries()] == ["L001", "L002"]

        # A saved web page for a region no plan covered yet, with its parents in the caption.
        h.standin.push_document(ADMIN, "page.html", TEA.encode(), caption="闽侯县 福州市 福建省")
        await _until(h, ADMIN, "已收到《page.html》（闽侯县）")
        await _until(h, ADMIN, "已加入知识库：L003《闽侯县茶叶扶贫办法》（闽侯县）")
        assert "600元" in (await answered(h, RESIDENT, TEA_QUESTION)).text

        listed = (await h.ask(ADMIN, "/docs")).text
        assert listed.startswith("知识库文件（8 份）")
        assert (
            "000《中共闽清县委 闽清县人民政府关于打好脱贫攻坚战三年行动的实施方案》\n　闽清县（县级）"
            in listed
        )
        assert "随程序发布" in listed
        assert (
            f"L001《镇头镇养蜂补助办法》\n　镇头镇（镇级） · 1 段 · 2026-11-23 09:30 由 {ADMIN} 添加"
            in listed
        )
        assert "L003《闽侯县茶叶扶贫办法》\n　闽侯县（县级）" in listed
        assert listed.endswith(
            "删除管理员添加的文件：/remove 编号（随程序发布的文件不能在这里删除）。"
        )

        assert (await h.ask(ADMIN, "/remove")).text.startswith("用法：/remove 编号")
        assert (
            await h.ask(ADMIN, "/remove L999")
        ).text == "没有编号为「L999」的文件，请用 /docs 查看编号。"
        assert (await h.ask(ADMIN, "/remove 000")).text.startswith("000《中共闽清县委")
        assert (
            await h.ask(ADMIN, "/remove l001")
        ).text == "正在删除 L001《镇头镇养蜂补助办法》并重建知识库……"
        report = await _until(h, ADMIN, "已删除 L001《镇头镇养蜂补助办法》。")
        assert "知识库已重建：政策文件 7 份" in report.text
        assert "150元" not in (await h.ask(RESIDENT, BEES_QUESTION)).text
        assert "L001" not in (await h.ask(ADMIN, "/docs")).text

    # Kept under DATA_DIR, so a restart (or `python -m bot reindex`) has them; the shipped corpus is untouched.
    manifest = json.loads((kb.library.root / "manifest.json").read_text(encoding="utf-8"))
    assert [(d["id"], d["region"], d["parents"], d["added_by"]) for d in manifest["documents"]] == [
        ("L002", "湖北省", [], ADMIN),
        ("L003", "闽侯县", ["福州市", "福建省"], ADMIN),
    ]
    assert kb.library.root == kb.index_root.parent / LIBRARY_DIR
    restarted = KnowledgeBase.open(kb.index_root.parent)
    assert [d.id for d in restarted.documents][-2:] == ["L002", "L003"]
    assert {p.name: p.read_bytes() for p in DEFAULT_CORPUS.iterdir()} == shipped


async def test_a_broken_document_keeps_the_old_index(kb, database, monkeypatch):
    async with case_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        listed = (await h.ask(ADMIN, "/docs")).text
        await choose_place(h, RESIDENT, "闽清县")
        answer = (await h.ask(RESIDENT, "危房改造有什么补助")).text
        version = kb.state.version

        h.standin.push_document(
            ADMIN, "扶贫方案.pdf", b"%PDF-1.4\n this is no pdf at all", caption="湖北省"
        )
        await _until(h, ADMIN, "已收到《扶贫方案.pdf》（湖北省）")
        rejected = await _until(h, ADMIN, "未能加入《扶贫方案.pdf》：")
        assert "文件损坏" in rejected.text and rejected.text.endswith(
            "文件没有保存，知识库保持不变。"
        )

        h.standin.push_document(ADMIN, "空白.txt", b"  \n\n", caption="湖北省")
        await _until(h, ADMIN, "已收到《空白.txt》")
        assert "文件里没有文字" in (await _until(h, ADMIN, "未能加入《空白.txt》")).text

        assert (await _reply_to_file(h, "表格.xlsx", b"PK\x03\x04", "湖北省")).startswith(
            "不支持「表格.xlsx」这种文件"
        )
        assert (await _reply_to_file(h, "方案.txt", BEES.encode(), "火星县")).startswith(
            "知识库里没有「火星县」这个地区。已有的地区：闽清县"
        )
        monkeypatch.setattr(admin_knowledge, "MAX_DOCUMENT_BYTES", 100)
        assert (await _reply_to_file(h, "方案.txt", BEES.encode(), "湖北省")).startswith("文件太大")

        assert kb.state.version == version and kb.library.entries() == []
        assert not any(kb.library.root.glob("*")) if kb.library.root.exists() else True
        assert (await h.ask(ADMIN, "/docs")).text == listed
        assert (await h.ask(RESIDENT, "危房改造有什么补助")).text == answer


async def _reply_to_file(h, name: str, content: bytes, caption: str) -> str:
    h.standin.push_document(ADMIN, name, content, caption=caption)
    return (await h.reply(ADMIN)).text


async def test_a_failed_reload_keeps_answering_from_the_old_index(
    policy_data_copy, tmp_path, database
):
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus)
    kb = KnowledgeBase.open(policy_data_copy, corpus)
    async with case_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        await choose_place(h, RESIDENT, "闽清县")
        answer = (await h.ask(RESIDENT, "危房改造有什么补助")).text
        for path in corpus.glob("*.txt"):
            path.write_text("", encoding="utf-8")
        assert (await h.ask(ADMIN, "/reload")).text == admin_knowledge.texts.RELOAD_STARTED
        failed = await _until(h, ADMIN, "重建失败，仍在使用原来的知识库。")
        assert failed.text.endswith("原因：没有一份能读取的政策文件")
        assert (await h.ask(RESIDENT, "危房改造有什么补助")).text == answer


async def test_files_from_residents_and_staff_get_the_residents_reply(kb, database):
    async with case_bot(kb, database, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        await h.storage.cases.access.roles.grant(
            STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN
        )
        for user in (RESIDENT, STAFF):
            h.standin.push_document(user, "方案.txt", BEES.encode(), caption="湖北省")
            assert (await h.reply(user)).text == texts.NOT_TEXT
            assert await h.quiet(user) == []
        assert kb.library.entries() == []
