"""Input parsing shared by the API's per-endpoint input serializers."""

from rest_framework import serializers


class StringOrListField(serializers.Field):
    """A parameter clients send either as one (space-separated) string or as an array."""

    default_error_messages = {"invalid": "must be a string or an array of strings"}

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            values = dictionary.getlist(self.field_name) or dictionary.getlist(f"{self.field_name}[]")
            if not values:
                return serializers.empty
            return values if len(values) > 1 else values[0]
        return dictionary.get(self.field_name, serializers.empty)

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data.split()
        if isinstance(data, list) and all(isinstance(item, str) for item in data):
            return [part for item in data for part in item.split()]
        self.fail("invalid")

    def to_representation(self, value):
        return value


def id_list(request, name: str = "id") -> list[str]:
    """`id[]=1&id[]=2` (or `id=1`), as Mastodon clients send lists in a query string."""
    return request.query_params.getlist(f"{name}[]") or request.query_params.getlist(name)
