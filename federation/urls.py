from django.urls import path, re_path

from .views import discovery, documents, inbox

app_name = "federation"

USER = "users/<str:username>"

urlpatterns = [
    path(".well-known/webfinger", discovery.webfinger, name="webfinger"),
    path(".well-known/host-meta", discovery.host_meta, name="host_meta"),
    path(".well-known/host-meta.json", discovery.host_meta, name="host_meta_json"),
    path(".well-known/nodeinfo", discovery.nodeinfo_index, name="nodeinfo_index"),
    re_path(r"^nodeinfo/(?P<version>2\.[01])$", discovery.nodeinfo, name="nodeinfo"),
    path("actor", documents.instance, name="instance_actor"),
    path("actor/inbox", inbox.inbox, name="instance_inbox"),
    path("actor/outbox", documents.instance_outbox, name="instance_outbox"),
    path("inbox", inbox.inbox, name="shared_inbox"),
    path(USER, documents.actor, name="actor"),
    path(f"{USER}/inbox", inbox.inbox, name="inbox"),
    path(f"{USER}/outbox", documents.outbox, name="outbox"),
    path(f"{USER}/followers", documents.followers, name="followers"),
    path(f"{USER}/following", documents.following, name="following"),
    path(f"{USER}/collections/featured", documents.featured, name="featured"),
    path(f"{USER}/collections/tags", documents.featured_tags, name="featured_tags"),
    path(f"{USER}/statuses/<int:status_id>", documents.status_object, name="status"),
    path(f"{USER}/statuses/<int:status_id>/activity", documents.status_activity,
         name="status_activity"),
    path(f"{USER}/statuses/<int:status_id>/replies", documents.status_replies, name="status_replies"),
]
