"""Shadowing forms: shape and limits only; the rules are in service.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from ..forms import CheckedForm as FlaskForm  # refuses NUL characters
from wtforms import (
    DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from course_content.models import Library

OTHER = "other"
TEXT_LIMIT = 5000

# Korthagen's ALACT cycle: the reflection a day needs before the host is asked.
ALACT_FIELDS = ("alact_action", "alact_looking_back", "alact_awareness",
                "alact_alternatives", "alact_trial")


class AlactFields:
    """The five steps, on the day's form and on its page (before asking the host)."""

    alact_action = TextAreaField(_l("1. Action: what did you do and see?"),
                                 validators=[Length(max=TEXT_LIMIT)])
    alact_looking_back = TextAreaField(
        _l("2. Looking back: what happened, what did you think and feel, what did your host want?"),
        validators=[Length(max=TEXT_LIMIT)])
    alact_awareness = TextAreaField(
        _l("3. Awareness of essential aspects: what matters most, for you and your library?"),
        validators=[Length(max=TEXT_LIMIT)])
    alact_alternatives = TextAreaField(
        _l("4. Creating alternatives: what could you or your library do differently?"),
        validators=[Length(max=TEXT_LIMIT)])
    alact_trial = TextAreaField(_l("5. Trial: what will you try, and when?"),
                                validators=[Length(max=TEXT_LIMIT)])


class ShadowDayForm(AlactFields, FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date of the day."))])
    host_library = SelectField(_l("Host library"), choices=[], validate_choice=False)
    host_library_other = StringField(_l("Name of the other library"),
                                     validators=[Length(max=200)])
    department = StringField(_l("Department or team"), validators=[Length(max=200)])
    host_contact_name = StringField(_l("Host contact: name"), validators=[Length(max=200)])
    host_contact_email = StringField(
        _l("Host contact: email"),
        validators=[Optional(), Email(_l("Enter a valid email address.")), Length(max=320)],
    )
    learning_goals = TextAreaField(_l("Learning goals (beforehand)"),
                                   validators=[Length(max=TEXT_LIMIT)])
    focus_questions = SelectMultipleField(
        _l("Questions for your host"), choices=[], validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    activities = TextAreaField(_l("Activities"), validators=[Length(max=TEXT_LIMIT)])
    # Days logged before the ALACT fields had one free reflection; it is kept.
    reflection = TextAreaField(_l("Reflection (afterwards)"), validators=[Length(max=TEXT_LIMIT)])
    def set_library_choices(self, libraries: tuple[Library, ...], placeholder: str,
                            other_label: str) -> None:
        self.host_library.choices = (
            [SelectChoice("", placeholder)]
            + [SelectChoice(lib.id, f"{lib.name} ({lib.city})", optgroup=lib.type)
               for lib in libraries]
            + [SelectChoice(OTHER, other_label)]
        )


class DecisionForm(FlaskForm):
    decision = RadioField(choices=[SelectChoice("confirm", _l("Confirm")),
                                   SelectChoice("decline", _l("Decline"))],
                          validators=[DataRequired(_l("Choose confirm or decline."))])
    name = StringField(_l("Your name"), validators=[Length(max=200)])
    comment = TextAreaField(_l("Comment (required when you decline)"),
                            validators=[Length(max=TEXT_LIMIT)])


class CodeForm(FlaskForm):
    code = StringField(_l("Confirmation code"),
                       validators=[DataRequired(_l("Enter the code.")), Length(max=20)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class AskForm(AlactFields, FlaskForm):
    """Ask for confirmation, with the reflection steps still missing filled in."""
