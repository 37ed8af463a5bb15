"""The tables: residents, units, complaints with their append-only event log, roles, key/value, counters.

Timestamps are stored as UTC and always come back timezone-aware, on SQLite as on PostgreSQL.
Enumerations are stored as short strings with CHECK constraints (no native PostgreSQL enums),
so that adding a status later is a plain migration on both databases.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Autoincrementing keys: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


class ComplaintStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    REOPENED = "reopened"


class ActorKind(enum.StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SYSTEM = "system"


class Role(enum.StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


def _str_enum(cls: type[enum.StrEnum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Resident(Base):
    """Someone who talked to the bot; keyed by their Telegram user id."""

    __tablename__ = "residents"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    display_name: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Unit(Base):
    """A responsible unit (县教育局 …) in a region, as named by the region's documents."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("name", "region", name="uq_units_name_region"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100), default="")


# Ticket numbers on PostgreSQL: a sequence hands them out without locking, so concurrent
# filings commit in parallel (numbers of rolled-back filings are skipped, which is harmless).
TICKET_SEQUENCE = Sequence("ticket_number_seq", metadata=Base.metadata)


class TicketCounter(Base):
    """Ticket numbers on SQLite (no sequences there); writers are serialised anyway."""

    __tablename__ = "ticket_counters"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(BigInteger)


class Complaint(Base):
    """A complaint as filed. Anonymous ones carry no identity at all (enforced by a CHECK)."""

    __tablename__ = "complaints"
    __table_args__ = (
        CheckConstraint(
            "NOT anonymous OR (resident_id IS NULL AND contact_name IS NULL AND contact_phone IS NULL)",
            name="anonymous_has_no_identity",
        ),
        Index("ix_complaints_resident_created", "resident_id", "created_at"),
        Index("ix_complaints_status_region", "status", "region"),
        # The statistics' count grouped by status, category and region reads this index alone,
        # a supervisor's region_path LIKE included (storage.reports).
        Index(
            "ix_complaints_status_category_region", "status", "category", "region", "region_path"
        ),
        Index("ix_complaints_filing_key", "filing_key", unique=True),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(32), unique=True)
    query_code_hash: Mapped[str] = mapped_column(String(200))
    # A random key the intake draft carries, so that filing the same draft twice files it once.
    filing_key: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(50))
    region: Mapped[str] = mapped_column(String(100))
    # "/湖南省/长沙市/浏阳市/" so that a supervisor of a region finds the cases below it by prefix.
    region_path: Mapped[str] = mapped_column(String(500), index=True)
    township: Mapped[str | None] = mapped_column(String(100))
    village: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(Json, default=list)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.telegram_user_id"))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[ComplaintStatus] = mapped_column(
        _str_enum(ComplaintStatus, "complaint_status"), default=ComplaintStatus.SUBMITTED
    )
    accept_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignments: Mapped[list[ComplaintUnit]] = relationship(
        back_populates="complaint", order_by="ComplaintUnit.position", cascade="save-update, merge"
    )
    events: Mapped[list[ComplaintEvent]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="save-update, merge"
    )


class ComplaintUnit(Base):
    """A unit a complaint is currently assigned to; position 0 is the primary unit."""

    __tablename__ = "complaint_units"

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship(lazy="joined")


class ComplaintEvent(Base):
    """One thing that happened to a complaint. Rows are never updated or deleted."""

    __tablename__ = "complaint_events"
    __table_args__ = (Index("ix_complaint_events_complaint_id_id", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    actor_kind: Mapped[ActorKind] = mapped_column(_str_enum(ActorKind, "actor_kind"))
    # NULL for the filer of an anonymous complaint and for the system.
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class RoleGrant(Base):
    """A role given to a Telegram user, optionally for one unit or region; revoked, never deleted."""

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[Role] = mapped_column(_str_enum(Role, "role"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    region: Mapped[str | None] = mapped_column(String(100))
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[int | None] = mapped_column(BigInteger)

    unit: Mapped[Unit | None] = relationship(lazy="joined")


class KeyValue(Base):
    """Namespaced JSON values: the bot's conversation state and user/chat/bot data."""

    __tablename__ = "kv_store"

    namespace: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(Json)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ExpiringCounter(Base):
    """A count under a keyed hash, forgotten after `expires_at`: filings per account and day,
    anonymous re-sends, wrong query codes. The key is an HMAC, so the row says neither who nor what."""

    __tablename__ = "expiring_counters"
    __table_args__ = (Index("ix_expiring_counters_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebLoginToken(Base):
    """A one-time sign-in link for the web console; only the token's SHA-256 is stored."""

    __tablename__ = "web_login_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser; keyed by the SHA-256 of the cookie's value, never the value itself."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
