"""Figures as the publications print them ($28,000; 0.0525), for descriptions and pages."""
from __future__ import annotations

from decimal import Decimal
from typing import Any


def money_text(value: Any) -> str:
    """A figure as the publication prints it: $28,000 or $1,234.50; other values as text."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"${value:,.0f}" if value >= 0 else f"-${-value:,.0f}"
        return f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"
    return str(value)


def plain_text(value: Any) -> str:
    """A figure without a dollar sign or thousands separators (2813, 0.0525); other values as text."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value != value.to_integral_value() else f"{value:.0f}"
    return str(value)


def value_text(value: Any, unit: str | None) -> str:
    """A figure in its unit: money_text for dollars, plain_text for anything else."""
    return money_text(value) if unit == "dollars" else plain_text(value)
