"""Composition root: settings, the Telegram Application factory and the command line."""
