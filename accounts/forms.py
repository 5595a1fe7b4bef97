"""Web forms for people. They parse input; the rules live in accounts.services, whose
ApplicationError.field is mapped back onto these forms by `add_service_error`."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError

from .models import (
    DISPLAY_NAME_MAX_LENGTH,
    FIELD_NAME_MAX_LENGTH,
    FIELD_VALUE_MAX_LENGTH,
    FIELDS_MAX,
    NOTE_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    Account,
)


def add_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class SignupForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=USERNAME_MAX_LENGTH,
        help_text=_("Letters, digits and underscores. This is how people will find you."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a link to confirm it. It is never shown to anyone."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        help_text=_("At least 8 characters, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    reason = forms.CharField(
        label=_("Why do you want to join?"), required=False,
        help_text=_("The moderators read this before they approve your account."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agreement = forms.BooleanField(
        label=_("I accept the server rules"),
        error_messages={"required": _("You must accept the server rules.")},
    )

    def __init__(self, *args, needs_approval: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_approval:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


class LoginForm(AuthenticationForm):
    """Log in with the username or the e-mail address, once the address is confirmed and,
    on approval-mode servers, the account approved."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("This username or e-mail address and password do not match."),
        "unconfirmed": _(
            "Confirm your e-mail address first: open the link we sent you. "
            "You can ask for a new link below."
        ),
        "pending_approval": _(
            "Your account is waiting for approval by the moderators. "
            "We will e-mail you when it is ready."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username or e-mail address")

    def confirm_login_allowed(self, user):
        # A frozen user may log in to appeal (moderation.backends); the middleware confines them.
        from moderation.selectors import user_is_frozen

        if not user_is_frozen(user):
            super().confirm_login_allowed(user)
        # Checked only after the password matched, so these messages reveal nothing to
        # someone who does not own the account.
        if not user.is_confirmed:
            raise ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")
        if not user.approved:
            raise ValidationError(self.error_messages["pending_approval"], code="pending_approval")


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"), max_length=DISPLAY_NAME_MAX_LENGTH, required=False,
    )
    note = forms.CharField(
        label=_("Bio"), max_length=NOTE_MAX_LENGTH, required=False,
        help_text=_("Plain text. Links, @mentions and #hashtags become clickable."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # FileField, not ImageField: accounts.images decodes the upload once, safely (pixel
    # limit, re-encoding), and says why a file is refused.
    avatar = forms.FileField(
        label=_("Avatar"), required=False,
        help_text=_("PNG, JPEG, GIF or WebP, cropped to a 400×400 square."),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    header = forms.FileField(
        label=_("Header image"), required=False,
        help_text=_("PNG, JPEG, GIF or WebP, cropped to 1500×500."),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    locked = forms.BooleanField(
        label=_("Approve followers manually"), required=False,
        help_text=_("People must ask to follow you, and you choose whom to accept."),
    )
    bot = forms.BooleanField(
        label=_("This is a bot account"), required=False,
        help_text=_("It posts automatically and may not answer."),
    )
    discoverable = forms.BooleanField(
        label=_("Suggest this account to others"), required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(FIELDS_MAX):
            self.fields[f"field_{index}_name"] = forms.CharField(
                label=_("Label %(n)d") % {"n": index + 1}, required=False,
                max_length=FIELD_NAME_MAX_LENGTH,
            )
            self.fields[f"field_{index}_value"] = forms.CharField(
                label=_("Content %(n)d") % {"n": index + 1}, required=False,
                max_length=FIELD_VALUE_MAX_LENGTH,
            )

    @staticmethod
    def initial_for(account: Account) -> dict:
        initial = {
            "display_name": account.display_name, "note": account.note,
            "locked": account.locked, "bot": account.bot, "discoverable": account.discoverable,
        }
        for index, field in enumerate(account.fields[:FIELDS_MAX]):
            initial[f"field_{index}_name"] = field.get("name", "")
            initial[f"field_{index}_value"] = field.get("value", "")
        return initial

    def field_pairs(self):
        """(label field, value field) bound pairs, for the template's table of fields."""
        return [(self[f"field_{i}_name"], self[f"field_{i}_value"]) for i in range(FIELDS_MAX)]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "display_name": data["display_name"],
            "note": data["note"],
            "fields": [
                {"name": data[f"field_{i}_name"], "value": data[f"field_{i}_value"]}
                for i in range(FIELDS_MAX)
            ],
            "locked": data["locked"],
            "bot": data["bot"],
            "discoverable": data["discoverable"],
            # None leaves the stored image alone.
            "avatar": data["avatar"],
            "header": data["header"],
        }


class PreferencesForm(forms.Form):
    locale = forms.ChoiceField(label=_("Interface language"), choices=settings.LANGUAGES)
    default_visibility = forms.ChoiceField(
        label=_("Default post visibility"),
        help_text=_("Who can see your posts unless you choose otherwise when writing."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from statuses.models import Visibility  # statuses depends on accounts, not the reverse

        self.fields["default_visibility"].choices = Visibility.choices


class DomainBlockForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"), max_length=253,
        help_text=_("For example social.example: its posts and notifications are hidden from you."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )


# A handle is typed as it is: no autocompletion, capitals or spelling fixes.
HANDLE_ATTRS = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}


class AliasForm(forms.Form):
    acct = forms.CharField(
        label=_("Handle of the old account"), max_length=500,
        help_text=_("The account you are moving from, such as alice@example.com."),
        widget=forms.TextInput(attrs=HANDLE_ATTRS),
    )


class MoveForm(forms.Form):
    acct = forms.CharField(
        label=_("Handle of the new account"), max_length=500,
        help_text=_("It must first name this account among its aliases."),
        widget=forms.TextInput(attrs=HANDLE_ATTRS),
    )
    current_password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
