"""Admins grant and revoke roles from Telegram; bad input changes nothing; others are refused.

The real Application over HTTP to the stand-in, on SQLite and PostgreSQL (`migrated_url`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from handlers import admin_texts, texts
from storage.models import Role
from storage.workdays import CHINA_TZ
from tests.casework_support import case_bot
from tests.telegram_harness import Clock

ADMIN, STAFF, RESIDENT, STRANGER = 1, 2001, 3001, 987654321
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)


async def test_an_admin_grants_lists_and_revokes_and_the_people_are_told(
    policy_kb, migrated_url, caplog
):
    caplog.set_level(logging.INFO)
    async with case_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        access = h.storage.cases.access
        assert "您的 Telegram 用户ID：2001" in (await h.ask(STAFF, "/myid")).text
        await h.ask(RESIDENT, "/myid")

        said = await h.ask(ADMIN, f"/grant {STAFF} 工作人员 闽清 县住建局")
        assert said.text == f"已授权：{STAFF} 为工作人员（闽清县 县住建局）。\n已通知对方。"
        notice = await h.reply(STAFF)
        assert "您已被设置为 闽清县 县住建局 的工作人员" in notice.text and "/queue" in notice.text
        permissions = await access.of(STAFF)
        assert [(u.name, u.region) for u in permissions.units] == [("县住建局", "闽清县")]

        said = await h.ask(ADMIN, f"/grant {STAFF} supervisor 福州")
        assert said.text.startswith(f"已授权：{STAFF} 为督办（福州市）。")
        assert "福州市 的督办人员" in (await h.reply(STAFF)).text
        assert (await access.of(STAFF)).regions == ("福州市",)

        listed = await h.ask(ADMIN, "/roles")
        assert listed.text.startswith("生效中的授权（2 项）")
        assert (
            f"{STAFF} 工作人员（闽清县 县住建局）\n　2026-11-23 09:30 由 {ADMIN} 授权"
            in listed.text
        )
        assert f"{STAFF} 督办（福州市）" in listed.text
        assert f"配置文件（ADMIN_IDS）中的管理员：{ADMIN}" in listed.text

        said = await h.ask(ADMIN, f"/revoke {STAFF} 工作人员")
        assert said.text == f"已撤销 {STAFF} 的工作人员权限（1 项）。"
        assert (await h.reply(STAFF)).text.startswith("您的工作人员权限已被管理员撤销")
        after = await access.of(STAFF)
        assert not after.is_staff and after.is_supervisor  # at once, and only the role revoked
        assert (
            await h.ask(ADMIN, f"/revoke {STAFF} staff")
        ).text == f"{STAFF} 没有生效的工作人员权限，未做改动。"
        assert [g.role for g in await roles.all_active()] == [Role.SUPERVISOR]

        # A granted admin may grant in turn; an admin from the configuration cannot be revoked here.
        await h.ask(ADMIN, f"/grant {STAFF} 管理员")
        assert "您已被设置为管理员" in (await h.reply(STAFF)).text
        assert (await h.ask(STAFF, f"/grant {RESIDENT} 督办 湖北")).text == (
            f"已授权：{RESIDENT} 为督办（湖北省）。\n已通知对方。"
        )
        assert "湖北省 的督办人员" in (await h.reply(RESIDENT)).text
        assert (await h.ask(STAFF, f"/revoke {ADMIN} admin")).text.startswith(
            f"{ADMIN} 是配置文件（ADMIN_IDS）里的管理员"
        )
        assert (await access.of(ADMIN)).is_admin
    logged = caplog.text
    assert (
        f"admin {ADMIN} granted staff (unit '县住建局', region '闽清县') to user {STAFF}" in logged
    )
    assert f"admin {ADMIN} revoked staff from user {STAFF}" in logged


async def test_bad_input_is_explained_and_changes_nothing(policy_kb, migrated_url):
    async with case_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        cases = {
            "/grant": admin_texts.GRANT_USAGE,
            f"/grant {STAFF}": admin_texts.GRANT_USAGE,
            "/grant 张三 工作人员 闽清县 县住建局": "「张三」不是有效的用户ID",
            "/grant -5 督办 闽清县": "「-5」不是有效的用户ID",
            f"/grant {STAFF} 厨师 闽清县": "不认识的角色「厨师」",
            f"/grant {STAFF} 工作人员 火星县 县住建局": "知识库里没有「火星县」这个地区",
            f"/grant {STAFF} 督办 坂东镇": "知识库里没有「坂东镇」这个地区",  # a town has no complaints of its own
            f"/grant {STAFF} 工作人员 闽清县": admin_texts.GRANT_USAGE,
            f"/grant {STAFF} 督办 闽清县 县纪委": admin_texts.GRANT_USAGE,
            f"/grant {STAFF} 管理员 闽清县": admin_texts.GRANT_USAGE,
            f"/grant {STAFF} 工作人员 闽清县 {'很长' * 60}": "单位名称太长了",
            "/revoke": admin_texts.REVOKE_USAGE,
            f"/revoke {STAFF}": admin_texts.REVOKE_USAGE,
            "/revoke abc 工作人员": "「abc」不是有效的用户ID",
            f"/revoke {STAFF} 村长": "不认识的角色「村长」",
        }
        for command, expected in cases.items():
            said = await h.ask(ADMIN, command)
            assert expected.split("<")[0] in said.html or expected in said.text, command
            assert said.text.endswith("未做任何改动。"), command
        assert (
            "已有的地区：闽清县、淮安区、湖北省"
            in (await h.ask(ADMIN, f"/grant {STAFF} 督办 北京")).text
        )
        assert await roles.all_active() == []
        assert (
            await h.ask(ADMIN, "/roles")
        ).text == f"目前没有用命令授予的权限。\n配置文件（ADMIN_IDS）中的管理员：{ADMIN}"
        assert await h.quiet(STAFF) == []


async def test_a_grant_to_someone_who_never_opened_the_bot_still_holds(policy_kb, migrated_url):
    async with case_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        said = await h.ask(ADMIN, f"/grant {STRANGER} 督办 湖北")
        assert said.text.startswith(
            f"已授权：{STRANGER} 为督办（湖北省）。\n对方还没有打开过本机器人"
        )
        assert (await h.storage.cases.access.of(STRANGER)).regions == ("湖北省",)
        # Telegram refuses a message to a chat that never started: that refusal is what this tests.
        refused = h.standin.accept_refusals(STRANGER)
        assert [c.response["description"] for c in refused] == ["Bad Request: chat not found"]


async def test_residents_and_staff_are_refused_and_each_refusal_is_logged(
    policy_kb, migrated_url, caplog
):
    caplog.set_level(logging.WARNING)
    async with case_bot(policy_kb, migrated_url, clock=Clock(NOW), admin_ids=[ADMIN]) as h:
        roles = h.storage.cases.access.roles
        await roles.grant(STAFF, "staff", unit="县住建局", region="闽清县", granted_by=ADMIN)
        await roles.grant(RESIDENT + 1, "supervisor", region="闽清县", granted_by=ADMIN)
        for user in (RESIDENT, STAFF, RESIDENT + 1):
            for command in (
                f"/grant {user} 管理员",
                f"/revoke {STAFF} 工作人员",
                "/roles",
                "/reload",
                "/docs",
                "/remove L001",
            ):
                assert (await h.ask(user, command)).text == texts.REFUSED, (user, command)
        assert [(g.user_id, g.role) for g in await roles.all_active()] == [
            (STAFF, Role.STAFF),
            (RESIDENT + 1, Role.SUPERVISOR),
        ]
        assert not (await h.storage.cases.access.of(RESIDENT)).is_admin
    for action in ("grant", "revoke", "roles", "reload", "docs", "remove"):
        assert f"refused {action} to user {RESIDENT}: not an admin" in caplog.text
        assert f"refused {action} to user {STAFF}: not an admin" in caplog.text
