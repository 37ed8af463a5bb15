"""Policy corpus: ingestion, structure, index, search, answers and routing knowledge.

Nothing here imports Telegram, so every rule can be tested on its own.
"""

import os

# pypinyin serves the typo repair (knowledge.understanding) from its one-character readings;
# its phrase dictionary, and the copies it makes of both, would hold ~45 MB of the bot's memory.
os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
