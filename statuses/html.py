"""HTML we store and show: our own rendering of plain text, and the allowlist every piece of
HTML (ours or a remote server's) passes through before it reaches a page."""

import nh3

# Close to Mastodon's allowlist: text structure and links, nothing that runs or styles.
ALLOWED_TAGS = {
    "p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u",
    "ul", "ol", "li", "blockquote",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "translate"},
    "span": {"translate"},
    "ol": {"start", "reversed"},
    "li": {"value"},
}
ALLOWED_CLASSES = {
    "a": {"h-card", "u-url", "mention", "hashtag", "status-link"},
    "span": {"h-card", "invisible", "ellipsis", "p-nickname"},
}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
    )
