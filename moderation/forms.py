"""Forms for reports, appeals and the moderators' action pages. They parse input; the rules
live in moderation.services and moderation.reports."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ServerRule

from .models import COMMENT_MAX_LENGTH, TIMED_ACTIONS, ReportCategory, StrikeAction


class ReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What is wrong?"), choices=ReportCategory.choices, widget=forms.RadioSelect,
    )
    rule_ids = forms.ModelMultipleChoiceField(
        label=_("Which rules are broken?"), queryset=ServerRule.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status_ids = forms.MultipleChoiceField(
        label=_("Posts to include"), required=False, widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Anything else the moderators should know?"), required=False,
        max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
    )
    forward = forms.BooleanField(
        label=_("Also send an anonymous copy of the report to their server"), required=False,
    )

    def __init__(self, *args, statuses, remote: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.statuses = statuses
        self.fields["status_ids"].choices = [(str(s.pk), str(s.pk)) for s in statuses]
        if not ServerRule.objects.exists():
            # No rules, no breaking them.
            self.fields["category"].choices = [
                choice for choice in ReportCategory.choices if choice[0] != ReportCategory.VIOLATION
            ]
        if not remote:
            del self.fields["forward"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "rule_ids": [rule.pk for rule in data["rule_ids"]],
            "status_ids": data["status_ids"],
            "comment": data["comment"],
            "forward": data.get("forward", False),
        }


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why should this decision be reversed?"), max_length=COMMENT_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ActionForm(forms.Form):
    """A moderator's action against an account, from its page or from a report."""

    action = forms.ChoiceField(label=_("Action"), choices=StrikeAction.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason, shown to the account's owner"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    duration_days = forms.IntegerField(
        label=_("For how many days (limit and freeze only; empty: until lifted)"),
        required=False, min_value=1, max_value=3650,
    )
    notify = forms.BooleanField(label=_("Also tell them by e-mail"), required=False, initial=True)
    status_ids = forms.MultipleChoiceField(
        label=_("Posts concerned"), required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_ids"].choices = [(str(s.pk), str(s.pk)) for s in statuses]

    def clean(self):
        data = super().clean()
        if data.get("duration_days") and data.get("action") not in TIMED_ACTIONS:
            self.add_error("duration_days", _("Only limits and freezes can be timed."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        days = data.get("duration_days")
        return {
            "action": data["action"],
            "reason": data["reason"],
            "duration": timedelta(days=days) if days else None,
            "notify": data["notify"],
            "status_ids": data["status_ids"],
        }


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for the audit log)"), required=False)
