"""The key of the filing and query-code counters lasts across restarts without being configured."""

from __future__ import annotations

import stat

from pydantic import SecretStr

from bot.counter_key import FILE_NAME, counter_key


def test_an_unconfigured_key_is_made_once_and_kept_private(tmp_path):
    first = counter_key(None, tmp_path / "data")
    assert len(first) == 32
    assert counter_key(None, tmp_path / "data") == first  # the next start counts on
    mode = stat.S_IMODE((tmp_path / "data" / FILE_NAME).stat().st_mode)
    assert mode == 0o600
    assert counter_key(None, tmp_path / "elsewhere") != first


def test_a_configured_key_wins_and_nothing_is_written(tmp_path):
    assert counter_key(SecretStr("shared-by-two-processes"), tmp_path) == b"shared-by-two-processes"
    assert not (tmp_path / FILE_NAME).exists()
