"""SQLAlchemy models, sessions, repositories, migrations and conversation persistence."""
