"""Web forms for writing statuses. They parse what a browser sends; the rules (length, media,
visibility) are the services', whose refusals come back here as form errors."""

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.errors import ApplicationError

from .models import MEDIA_DESCRIPTION_MAX_CHARS, MEDIA_MAX_PER_STATUS, STATUS_MAX_CHARS, Visibility
from .text import text_length

# Languages a post may be written in (ISO 639-1 codes, named in their own language).
LANGUAGE_CHOICES = sorted(
    (
        (code, info["name_local"]) for code, info in LANG_INFO.items()
        if "name_local" in info and "-" not in code
    ),
    key=lambda choice: choice[1].casefold(),
)
IMAGE_TYPES = "image/jpeg,image/png,image/gif,image/webp"
# From the most to the least public: a reply is never more public than its parent.
VISIBILITY_ORDER = [Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.DIRECT]


class ServiceErrorsMixin:
    def add_service_error(self, error: ApplicationError) -> None:
        """Show a service's refusal next to the field it names, or above the form."""
        self.add_error(error.field if error.field in self.fields else None, error.message)


class StatusTextForm(ServiceErrorsMixin, forms.Form):
    # No maxlength attribute: the service counts a link as 23 characters whatever its length,
    # so the browser's raw count would refuse posts that are allowed. The counter (JS) and
    # the service count the same way.
    text = forms.CharField(
        label=_("Post text"), required=False,
        widget=forms.Textarea(attrs={
            "rows": 4, "data-counter-max": STATUS_MAX_CHARS,
            "placeholder": _("What's on your mind?"),
        }),
    )
    spoiler_text = forms.CharField(
        label=_("Content warning"), required=False,
        help_text=_("Optional. Readers see this first and open the post if they want to."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    sensitive = forms.BooleanField(label=_("Mark images as sensitive"), required=False)

    def text_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"], "spoiler_text": data["spoiler_text"],
            "sensitive": data["sensitive"], "language": data["language"],
        }


class ComposeForm(StatusTextForm):
    visibility = forms.ChoiceField(label=_("Who can see it"), choices=Visibility.choices)
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ["text", "spoiler_text", "visibility", "language", "sensitive"]

    def __init__(self, *args, user, in_reply_to=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The language the person reads the site in is the best guess for what they write.
        language = user.locale or get_language().split("-")[0]
        visibility = user.default_visibility
        text = ""
        if in_reply_to is not None:
            self.fields["in_reply_to"].initial = in_reply_to.pk
            visibility = max(visibility, in_reply_to.visibility, key=VISIBILITY_ORDER.index)
            text = "".join(f"@{acct} " for acct in _reply_mentions(in_reply_to, user.account))
        self.fields["text"].initial = text
        self.fields["visibility"].initial = visibility
        self.fields["language"].initial = language
        for n in range(1, MEDIA_MAX_PER_STATUS + 1):
            self.fields[f"image_{n}"] = forms.FileField(
                label=_("Image %(n)d") % {"n": n}, required=False,
                widget=forms.FileInput(attrs={"accept": IMAGE_TYPES}),
            )
            self.fields[f"description_{n}"] = forms.CharField(
                label=_("Description of image %(n)d") % {"n": n}, required=False,
                max_length=MEDIA_DESCRIPTION_MAX_CHARS,
            )

    def image_rows(self):
        """(file field, description field) pairs, for the template."""
        return [
            (self[f"image_{n}"], self[f"description_{n}"])
            for n in range(1, MEDIA_MAX_PER_STATUS + 1)
        ]

    def images_touched(self) -> bool:
        """Whether to show the image fields open: something was chosen, typed or refused."""
        return bool(self.files) or any(
            file.errors or description.errors or description.value()
            for file, description in self.image_rows()
        )

    def clean(self):
        data = super().clean()
        # The service decides on the length (and checks again). Images are processed before
        # the service sees the text, so checking here too lets one submission report an
        # overlong text together with a bad image.
        length = text_length(data.get("text", "").strip()) + len(data.get("spoiler_text", "").strip())
        if length > STATUS_MAX_CHARS:
            self.add_error("text", _("A post has at most %(n)d characters.") % {"n": STATUS_MAX_CHARS})
        for n in range(1, MEDIA_MAX_PER_STATUS + 1):
            if data.get(f"description_{n}") and not data.get(f"image_{n}"):
                # After an error the browser forgets the chosen files but keeps the
                # descriptions: say so rather than post without the images.
                self.add_error(f"image_{n}", _("Choose the image for this description."))
        return data

    def uploads(self) -> list[tuple[str, object, str]]:
        """(field name, file, description) for each chosen image, in order."""
        return [
            (f"image_{n}", self.cleaned_data[f"image_{n}"], self.cleaned_data[f"description_{n}"])
            for n in range(1, MEDIA_MAX_PER_STATUS + 1)
            if self.cleaned_data.get(f"image_{n}")
        ]

    def status_kwargs(self) -> dict:
        return {**self.text_kwargs(), "visibility": self.cleaned_data["visibility"]}


def _reply_mentions(status, author) -> list[str]:
    """Who a reply addresses by default: the parent's author and the people it mentions."""
    accounts = [status.account] + [mention.account for mention in status.mentions.all()]
    seen: dict[str, None] = {}
    for account in accounts:
        if account.pk != author.pk:
            seen.setdefault(account.acct, None)
    return list(seen)


class EditForm(StatusTextForm):
    def __init__(self, *args, status, **kwargs):
        super().__init__(*args, initial={
            "text": status.text, "spoiler_text": status.spoiler_text,
            "sensitive": status.sensitive, "language": status.language or "en",
        }, **kwargs)
        # Not `self.media`: Django forms use that name for their CSS and JS assets.
        self.attachments = list(status.media.all())
        for index, media in enumerate(self.attachments, start=1):
            self.fields[f"description_{media.pk}"] = forms.CharField(
                label=_("Description of image %(n)d") % {"n": index}, required=False,
                max_length=MEDIA_DESCRIPTION_MAX_CHARS, initial=media.description,
            )

    def media_rows(self):
        return [(media, self[f"description_{media.pk}"]) for media in self.attachments]

    def status_kwargs(self) -> dict:
        return {
            **self.text_kwargs(),
            "media_descriptions": {
                media.pk: self.cleaned_data[f"description_{media.pk}"] for media in self.attachments
            },
        }


class FeaturedTagForm(forms.Form):
    name = forms.CharField(
        label=_("Hashtag"), max_length=101,
        help_text=_("Letters, digits and underscores, with at least one letter; the # is optional."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
