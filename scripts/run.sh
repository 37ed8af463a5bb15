#!/usr/bin/env bash
# Set up and run the bot. Without TELEGRAM_BOT_TOKEN it runs locally: a Telegram stand-in
# on loopback and a chat in this terminal. Extra arguments go to `python -m bot`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/python -m bot "$@"
