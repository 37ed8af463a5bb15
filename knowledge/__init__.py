"""Policy corpus: ingestion, structure, index, search, answers and routing knowledge.

Nothing here imports Telegram, so every rule can be tested on its own.
"""
