"""Certificate forms: shape only."""

from flask_babel import lazy_gettext as _l
from ..forms import CheckedForm as FlaskForm  # refuses NUL characters
from wtforms import BooleanField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from .service import NAME_LIMIT


class IssueForm(FlaskForm):
    learner_name = StringField(
        _l("Your name as it should be printed"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=NAME_LIMIT)],
    )
    language = RadioField(
        _l("Language of the certificate"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        default="nl",
    )
    # Shows the preview for what was typed; saves nothing.
    preview = SubmitField(_l("Update the preview"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give a reason.")),
                                                    Length(max=2000)])


class RefuseNameForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the learner sees it)"), validators=[
        DataRequired(_l("Give a reason.")), Length(max=2000)])


class ReissueForm(FlaskForm):
    learner_name = StringField(_l("Corrected name"), validators=[
        DataRequired(_l("Enter the name.")), Length(max=NAME_LIMIT)])


class IssueAgainForm(FlaskForm):
    """After a revocation: a new certificate only on the trainer's word."""

    learner_name = StringField(_l("Name to print"), validators=[
        DataRequired(_l("Enter the name.")), Length(max=NAME_LIMIT)])
    confirm = BooleanField(
        _l("I have checked that the reason for the revocation no longer applies."),
        validators=[DataRequired(_l("Confirm that you mean to issue it again."))])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class EmailChoiceForm(FlaskForm):
    """The learner's choice, off until they tick it: a salted hash of their email
    address in the badge, so a badge wallet can match the badge to them."""

    include_email = BooleanField(_l(
        "Include a hashed form of my email address in the badge, so a badge wallet "
        "can match it to me"))
    save_email_choice = SubmitField(_l("Save my choice"))


class ZipForm(FlaskForm):
    include_credentials = BooleanField(_l(
        "Also include each learner's digital badge (credential .jwt and badge image .png)"))
