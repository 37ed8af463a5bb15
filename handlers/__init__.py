"""Telegram adapters only: turn updates into calls, results into messages."""
