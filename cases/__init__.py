"""The case rules, free of Telegram: who may act on a complaint, what each action does, and the
views staff read. The Telegram handlers and the web console are thin adapters over it."""
