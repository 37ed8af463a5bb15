"""The staff web console: a second adapter beside handlers/, on the same rules and storage.

Never imports handlers (nor handlers web); bot/ wires it (bot/console.py).
"""
