"""SQLAlchemy tables. Money is in 万元 (`*_wan`), stored as double precision.

Every schema change goes through an Alembic migration in `db/migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class (typed as Table for Core inserts/updates)."""
    return cast(Table, model.__table__)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON, bytes: LargeBinary}


# ---------------------------------------------------------------- the program (方案)


class ProgramRow(Base):
    """A loaded program file (方案); one row per distinct file content (hash)."""

    __tablename__ = "program"
    __table_args__ = (UniqueConstraint("name", "file_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    revision: Mapped[str] = mapped_column(String(50), default="")
    region_code: Mapped[str] = mapped_column(String(6))
    base_year: Mapped[int] = mapped_column(Integer)
    target_year: Mapped[int] = mapped_column(Integer)
    effective_on: Mapped[dt.date | None] = mapped_column(Date)
    scale_metric: Mapped[str] = mapped_column(String(40), default="revenue_wan")
    file_hash: Mapped[str] = mapped_column(String(64))
    source_toml: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    ecosystems: Mapped[list[EcosystemRow]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="EcosystemRow.sort"
    )


class EcosystemRow(Base):
    """Industry ecosystem (产业生态圈) of one program."""

    __tablename__ = "ecosystem"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"2025": 10000.0} 亿元
    target_is_floor: Mapped[bool] = mapped_column(Boolean, default=True)
    baseline: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)

    program: Mapped[ProgramRow] = relationship(back_populates="ecosystems")
    chains: Mapped[list[ChainRow]] = relationship(
        back_populates="ecosystem", cascade="all, delete-orphan", order_by="ChainRow.sort"
    )


class ChainRow(Base):
    """Industrial chain (产业链)."""

    __tablename__ = "chain"
    __table_args__ = (UniqueConstraint("program_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    ecosystem_id: Mapped[int] = mapped_column(ForeignKey("ecosystem.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    leader: Mapped[str] = mapped_column(String(100), default="")
    lead_department: Mapped[str] = mapped_column(String(200), default="")
    chain_masters: Mapped[list[Any]] = mapped_column(default=list)
    leading_firms: Mapped[list[Any]] = mapped_column(default=list)
    sort: Mapped[int] = mapped_column(Integer, default=0)

    ecosystem: Mapped[EcosystemRow] = relationship(back_populates="chains")
    nodes: Mapped[list[ChainNodeRow]] = relationship(
        back_populates="chain", cascade="all, delete-orphan", order_by="ChainNodeRow.sort"
    )


class ChainNodeRow(Base):
    """Chain node (链节点)."""

    __tablename__ = "chain_node"
    __table_args__ = (UniqueConstraint("chain_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("chain.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("chain_node.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[str] = mapped_column(String(10))  # 上游/中游/下游
    industry_codes: Mapped[list[Any]] = mapped_column(default=list)
    partial_codes: Mapped[list[Any]] = mapped_column(default=list)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    products: Mapped[list[Any]] = mapped_column(default=list)
    sort: Mapped[int] = mapped_column(Integer, default=0)

    chain: Mapped[ChainRow] = relationship(back_populates="nodes")


class TierGoalRow(Base):
    """Program-wide tier target or baseline (梯度培育目标/基数)."""

    __tablename__ = "tier_goal"
    __table_args__ = (UniqueConstraint("program_id", "kind", "tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # target | baseline
    tier: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


# ---------------------------------------------------------------- enterprises (企业库)


class Enterprise(Base):
    """Enterprise (企业), keyed by its unified social credit code (统一社会信用代码)."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(4), index=True)
    founded_on: Mapped[dt.date | None] = mapped_column(Date)
    business_scope: Mapped[str | None] = mapped_column(Text)
    main_products: Mapped[str | None] = mapped_column(Text)
    is_above_scale: Mapped[bool | None] = mapped_column(Boolean)
    is_listed: Mapped[bool | None] = mapped_column(Boolean)
    is_high_tech: Mapped[bool | None] = mapped_column(Boolean)
    created_batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


FINANCIAL_FIELDS = (
    "revenue_wan",
    "output_value_wan",
    "main_business_revenue_wan",
    "rd_expense_wan",
    "employees",
    "rd_employees",
    "invention_patents",
    "ip_total",
    "total_assets_wan",
    "total_liabilities_wan",
    "profit_wan",
    "tax_wan",
    "export_wan",
    "equity_financing_wan",
)


class EnterpriseFinancial(Base):
    """An enterprise's figures for one year (年度经营数据); amounts in 万元."""

    __tablename__ = "enterprise_financial"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "year"),
        Index("ix_financial_year", "year"),
        # covering index for progress scale accounting (migration 0002)
        Index("ix_financial_progress", "enterprise_id", "year", "revenue_wan", "output_value_wan"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    revenue_wan: Mapped[float | None] = mapped_column(Double)
    output_value_wan: Mapped[float | None] = mapped_column(Double)
    main_business_revenue_wan: Mapped[float | None] = mapped_column(Double)
    rd_expense_wan: Mapped[float | None] = mapped_column(Double)
    employees: Mapped[int | None] = mapped_column(Integer)
    rd_employees: Mapped[int | None] = mapped_column(Integer)
    invention_patents: Mapped[int | None] = mapped_column(Integer)
    ip_total: Mapped[int | None] = mapped_column(Integer)
    total_assets_wan: Mapped[float | None] = mapped_column(Double)
    total_liabilities_wan: Mapped[float | None] = mapped_column(Double)
    profit_wan: Mapped[float | None] = mapped_column(Double)
    tax_wan: Mapped[float | None] = mapped_column(Double)
    export_wan: Mapped[float | None] = mapped_column(Double)
    equity_financing_wan: Mapped[float | None] = mapped_column(Double)


TIERS = (
    "innovative_sme",
    "zjtx_provincial",
    "hidden_champion_provincial",
    "little_giant_national",
    "single_champion_national",
    "high_tech",
)


class Qualification(Base):
    """A title an enterprise holds (资质/称号), e.g. 省级专精特新, with its validity."""

    __tablename__ = "qualification"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "tier", "granted_on"),
        Index("ix_qualification_tier", "tier", "granted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(40))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(100), default="")


class EnterpriseFact(Base):
    """Facts beyond yearly figures used by the tier criteria (培育评价事实), per fiscal year.

    NULL always means unknown, never false.
    """

    __tablename__ = "enterprise_fact"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    niche_since_year: Mapped[int | None] = mapped_column(Integer)
    leading_product_count: Mapped[int | None] = mapped_column(Integer)
    leading_product_in_sei: Mapped[bool | None] = mapped_column(Boolean)
    leading_product_field_level: Mapped[str | None] = mapped_column(String(30))
    leading_product_priority_field: Mapped[str | None] = mapped_column(String(30))
    ip_class1_high_value: Mapped[int | None] = mapped_column(Integer)
    ip_class1_self_developed: Mapped[int | None] = mapped_column(Integer)
    ip_class1: Mapped[int | None] = mapped_column(Integer)
    ip_class2: Mapped[int | None] = mapped_column(Integer)
    ip_class1_applied: Mapped[int | None] = mapped_column(Integer)
    invention_patents_related: Mapped[int | None] = mapped_column(Integer)
    rd_institution_level: Mapped[str | None] = mapped_column(String(20))
    digital_level: Mapped[int | None] = mapped_column(Integer)
    quality_award_provincial: Mapped[bool | None] = mapped_column(Boolean)
    qms_certified: Mapped[bool | None] = mapped_column(Boolean)
    own_brand: Mapped[bool | None] = mapped_column(Boolean)
    standards_count: Mapped[int | None] = mapped_column(Integer)
    intl_certifications: Mapped[int | None] = mapped_column(Integer)
    core_business_on_info_system: Mapped[bool | None] = mapped_column(Boolean)
    national_market_share_pct: Mapped[float | None] = mapped_column(Double)
    national_niche_rank: Mapped[int | None] = mapped_column(Integer)
    global_niche_rank: Mapped[int | None] = mapped_column(Integer)
    sci_tech_award: Mapped[str | None] = mapped_column(String(20))
    maker_china: Mapped[str | None] = mapped_column(String(10))
    bank_credit_ok: Mapped[bool | None] = mapped_column(Boolean)
    on_abnormal_list: Mapped[bool | None] = mapped_column(Boolean)
    on_dishonesty_list: Mapped[bool | None] = mapped_column(Boolean)
    major_incident_3y: Mapped[bool | None] = mapped_column(Boolean)


# ---------------------------------------------------------------- chain membership (挂链)

MEMBERSHIP_SOURCES = ("rule", "model", "manual", "import")
MEMBERSHIP_STATUSES = ("suggested", "confirmed", "rejected", "applied")
COUNTED_MEMBERSHIP_STATUSES = ("confirmed", "applied")  # what scale, lists and candidates count; suggested waits


class ChainMembership(Base):
    """Which chain node an enterprise belongs to (挂链关系).

    status: suggested (waits for review), applied (high-confidence automatic), confirmed
    (a person or an import said so), rejected (a person said no). Manual and import decisions
    are never overwritten by an automatic run.
    """

    __tablename__ = "chain_membership"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "node_id"),
        Index("ix_membership_chain_status", "chain_id", "status"),
        Index("ix_membership_node", "node_id"),
        # migration 0002: serves the enterprise search's chain filter (EXISTS on enterprise + status +
        # chain; SQLite 0.4 s with it, > 20 s without, tests/db/test_membership_index.py) and lookups by
        # enterprise id; the progress membership read scans it but does not need it (docs/progress.md)
        Index("ix_membership_progress", "enterprise_id", "status", "chain_id", "node_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    node_id: Mapped[int] = mapped_column(ForeignKey("chain_node.id", ondelete="CASCADE"))
    chain_id: Mapped[int] = mapped_column(ForeignKey("chain.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float | None] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(10))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


# ---------------------------------------------------------------- imports and audit


class ImportBatch(Base):
    """One import run (导入批次): file, hash, unit, user, counts, time."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    file_name: Mapped[str] = mapped_column(String(500))
    file_hash: Mapped[str] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(10))
    mode: Mapped[str] = mapped_column(String(20), default="strict")
    user: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="running")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class AuditLog(Base):
    """Every change with its old value (审计日志), so any batch can be undone exactly."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_batch", "batch_id"), Index("ix_audit_entity", "entity"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))  # insert | update | delete | login | ...
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(100), default="")
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


# ---------------------------------------------------------------- platform


class User(Base):
    """A platform user (用户) with a role: admin, office, leader, viewer."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    chains: Mapped[list[Any]] = mapped_column(default=list)  # chain names a leader acts on
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DataVersion(Base):
    """Monotonic counters bumped by every change to a data area; caches key on them."""

    __tablename__ = "data_version"

    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ResultCache(Base):
    """Computed results keyed by their inputs' data versions (结果缓存)."""

    __tablename__ = "result_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    versions: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StoredModel(Base):
    """A trained mapping model (挂链模型), pickled, never committed to the repository."""

    __tablename__ = "stored_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    trained_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    program_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    blob: Mapped[bytes] = mapped_column()
