"""Mastodon's reports API: the same `report_create` the web report form calls."""

from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from accounts.api.auth import scoped, viewer
from accounts.api.serializers import AccountOutput, iso
from accounts.api.views import access_account
from moderation.models import Report, ReportCategory
from moderation.reports import report_create
from statuses.api.views import IdsField


class ReportInput(serializers.Serializer):
    account_id = serializers.CharField(required=False, default="")
    status_ids = IdsField(required=False, default=list)
    rule_ids = IdsField(required=False, default=list)
    comment = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    category = serializers.ChoiceField(choices=ReportCategory.values, required=False)
    forward = serializers.BooleanField(default=False)

    def validate(self, data):
        # As Mastodon: rules cited make it a rule violation, whatever category was sent.
        if data["rule_ids"]:
            data["category"] = ReportCategory.VIOLATION
        data.setdefault("category", ReportCategory.OTHER)
        return data


class ReportOutput(serializers.Serializer):
    """Mastodon's Report, as its author sees it."""

    id = serializers.CharField()
    category = serializers.CharField()
    comment = serializers.CharField()
    forwarded = serializers.BooleanField(source="forward")
    action_taken = serializers.SerializerMethodField()
    action_taken_at = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()
    status_ids = serializers.SerializerMethodField()
    rule_ids = serializers.SerializerMethodField()
    collection_ids = serializers.SerializerMethodField()
    target_account = AccountOutput()

    def get_action_taken(self, report: Report) -> bool:
        return report.resolved_at is not None

    def get_action_taken_at(self, report: Report) -> str | None:
        return iso(report.resolved_at)

    def get_created_at(self, report: Report) -> str:
        return iso(report.created_at)

    def get_status_ids(self, report: Report) -> list[str]:
        return [str(pk) for pk in report.statuses.order_by("pk").values_list("pk", flat=True)]

    def get_rule_ids(self, report: Report) -> list[str]:
        return [str(pk) for pk in report.rules.order_by("pk").values_list("pk", flat=True)]

    def get_collection_ids(self, report: Report) -> list[str]:
        return []


@api_view(["POST"])
@permission_classes([scoped(write="write:reports")])
def reports(request):
    data = ReportInput(data=request.data)
    data.is_valid(raise_exception=True)
    values = data.validated_data
    report = report_create(
        reporter=viewer(request), target=access_account(values["account_id"]),
        category=values["category"], status_ids=values["status_ids"], rule_ids=values["rule_ids"],
        comment=values["comment"], forward=values["forward"],
    )
    return Response(ReportOutput(report).data)
