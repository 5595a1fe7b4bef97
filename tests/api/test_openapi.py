from jsonschema import Draft202012Validator

from tests.api.contract import contract


def test_own_openapi_description_is_served_and_matches_mastodon(db, anon):
    response = anon.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    assert "/api/v1/statuses/{status_id}" in paths
    assert set(paths["/api/v1/statuses/{status_id}"]) == {"get", "put", "delete"}
    status_get = paths["/api/v1/statuses/{status_id}"]["get"]
    assert status_get["security"] == [{"OAuth2": ["read:statuses"]}, {}]
    assert status_get["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Status"}
    assert paths["/api/v1/statuses"]["post"]["security"] == [{"OAuth2": ["write:statuses"]}]

    # Every operation we serve is one Mastodon documents (ours is a subset of its API).
    undocumented = [
        f"{method.upper()} {path}" for path, operations in paths.items() for method, op in operations.items()
        if "x-mastodon-operation" not in op
    ]
    # (/api/v1/trends is the alias of /api/v1/trends/tags older clients still call.)
    assert undocumented == ["GET /api/v1/trends"], undocumented

    # Its references resolve and its schemas are valid JSON Schema.
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert set(contract()["components"]["schemas"]) <= set(document["components"]["schemas"])
