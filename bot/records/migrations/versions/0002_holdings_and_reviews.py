"""The family's data map and consent reviews: holdings, review subscriptions, reviews, send attempts, answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.records.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _family_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["family_id"], ["families.id"], name=f"fk_{table}_family_id_families", ondelete="CASCADE"
    )


def _review_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["review_id"], ["reviews.id"], name=f"fk_{table}_review_id_reviews", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "holdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(120), nullable=False),
        sa.Column("record_kinds", sa.JSON(), nullable=False),
        sa.Column("held_since", sa.Date(), nullable=False),
        sa.Column("retention_id", sa.String(64), nullable=False),
        sa.Column("linked_into", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("algorithms", sa.JSON(), nullable=False),
        sa.Column("organisations", sa.JSON(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_holdings"),
        _family_fk("holdings"),
        sa.UniqueConstraint("family_id", "system", name="uq_holdings_family_id_system"),
    )
    op.create_table(
        "review_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("address_sealed", sa.Text(), nullable=False),
        sa.Column("address_digest", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_due_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_subscriptions"),
        _family_fk("review_subscriptions"),
        sa.UniqueConstraint("family_id", name="uq_review_subscriptions_family_id"),
    )
    op.create_index("ix_review_subscriptions_next_due_at", "review_subscriptions", ["next_due_at"])
    op.create_index("ix_review_subscriptions_address_digest", "review_subscriptions", ["address_digest"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        _family_fk("reviews"),
        sa.UniqueConstraint("family_id", "due_on", name="uq_reviews_family_id_due_on"),
    )
    op.create_index("ix_reviews_status_next_attempt_at", "reviews", ["status", "next_attempt_at"])
    op.create_table(
        "review_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_attempts"),
        _review_fk("review_attempts"),
    )
    op.create_index("ix_review_attempts_review_id", "review_attempts", ["review_id"])
    op.create_table(
        "review_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("purpose_id", sa.String(64), nullable=False),
        sa.Column("previous_choice", sa.String(40), nullable=False),
        sa.Column("choice", sa.String(40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_answers"),
        _review_fk("review_answers"),
    )
    op.create_index("ix_review_answers_review_id", "review_answers", ["review_id"])


def downgrade() -> None:
    op.drop_index("ix_review_answers_review_id", table_name="review_answers")
    op.drop_table("review_answers")
    op.drop_index("ix_review_attempts_review_id", table_name="review_attempts")
    op.drop_table("review_attempts")
    op.drop_index("ix_reviews_status_next_attempt_at", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_review_subscriptions_address_digest", table_name="review_subscriptions")
    op.drop_index("ix_review_subscriptions_next_due_at", table_name="review_subscriptions")
    op.drop_table("review_subscriptions")
    op.drop_table("holdings")
