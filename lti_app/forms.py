"""A form shown again with its errors: one way to attach them, one status (422)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from babel import support
from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


class CheckedForm(FlaskForm):
    """A form whose text refuses a NUL character (\\0): PostgreSQL cannot store
    it, and no one means to type it. The page comes back (422) with what was
    typed, the NUL taken out, and a message at the field."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return wtforms_translations(str(get_locale() or ""))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.data, str) and "\x00" in field.data:
                field.data = field.data.replace("\x00", "")
                field.errors = [*field.errors, _("Remove the NUL character (\\0) from this field.")]
                valid = False
        return valid


@lru_cache(maxsize=8)
def wtforms_translations(locale: str) -> support.NullTranslations:
    """WTForms' own messages ("This field is required.") in the page's language.

    Flask-WTF reads the catalogue file again on every request; the files do not
    change while the process runs, so each language is read once.
    """
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def add_errors(form: FlaskForm, errors: Mapping[str, str]) -> None:
    """Attach a service's per-field messages (e.g. ShadowDayInvalid.errors)."""
    for field, message in errors.items():
        getattr(form, field).errors = [*getattr(form, field).errors, message]


def render_form(
    template: str, form: FlaskForm | None, *, invalid: bool | None = None, **context
) -> tuple[str, int]:
    """The page with the form filled in: 422 when what was sent is refused.

    `invalid` defaults to "submitted and has errors"; pass it for a refusal the
    form's fields do not hold (e.g. nothing chosen from a list).
    """
    if invalid is None:
        invalid = form is not None and form.is_submitted() and bool(form.errors)
    if form is not None:
        context.setdefault("form", form)
    return render_template(template, **context), 422 if invalid else 200
