"""ActivityPub <-> Pouet, as pure functions: `parse_*` (JSON dict → dataclass, tolerant of
unknown keys, strict on required ones) and `render_*` (model → JSON dict). No HTTP here,
and no queries beyond reading relations the caller prefetched."""
