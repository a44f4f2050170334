"""Trainer forms: only the CSRF token (the actions take no input)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class RefreshRosterForm(FlaskForm):
    """The "refresh the roster" button."""
