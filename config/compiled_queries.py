"""Queries compiled once per process and shape, then run with each caller's values.

Django builds and compiles a query anew on every call. For a timeline read through the
visibility rule (a dozen subqueries) that was ~20 ms of CPU per page, against ~1 ms for
PostgreSQL to run the prepared statement. A query whose SQL depends on its inputs only
through parameters needs compiling once: `run` builds it twice with two sets of stand-in
integers, keeps the SQL if both compile to the same text with the stand-ins at the same
parameter positions and every other parameter equal, and from then on only substitutes
the real values. Anything else the inputs might change (a branch on a value, a timestamp
taken at build time) makes the two builds differ: such a query is simply built each time,
so a cached shape can never answer for inputs it was not compiled from.

A shape is the length of each list value, rounded up to a power of two by repeating the
list's last value (lists go to `__in` filters only, where a repeat changes nothing): a
page of 13 ids and one of 16 share their SQL, and a process keeps a handful of shapes.
`instances` also keeps how the SELECT's columns map to model instances (select_related
included), so a page's display query costs its execution and the instances only.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

logger = logging.getLogger(__name__)

# Two ranges no real id or constant of ours reaches (ids are time-sortable, < 2**62).
_STAND_IN_BASES = (8_100_000_000_000_000_000, 8_200_000_000_000_000_000)

Values = dict[str, int | list[int]]


@dataclass(frozen=True)
class _Compiled:
    model: type[Model]
    sql: str
    # Per parameter: (name, index) of the caller's value it takes, or ("", constant).
    slots: tuple[tuple[str, object], ...]
    # The compiler of the first build: its select list says which columns make which
    # model instance (Django's ModelIterable reads the same attributes).
    compiler: SQLCompiler
    # Per column position: the functions turning a database value into Python's (on
    # SQLite a date arrives as text), as the ORM applies them.
    converters: dict

    def params(self, values: Values) -> list:
        out = []
        for name, where in self.slots:
            if not name:
                out.append(where)
            elif where is None:
                out.append(values[name])
            else:
                out.append(values[name][where])
        return out


_UNCACHEABLE = object()
_compiled: dict[tuple, object] = {}


def _stand_ins(values: Values, base: int) -> tuple[Values, dict[int, tuple[str, int | None]]]:
    stand_ins: Values = {}
    owners: dict[int, tuple[str, int | None]] = {}
    n = base
    for name, value in values.items():
        if isinstance(value, list):
            stand_ins[name] = list(range(n, n + len(value)))
            owners.update({n + i: (name, i) for i in range(len(value))})
            n += len(value)
        else:
            stand_ins[name] = n
            owners[n] = (name, None)
            n += 1
    return stand_ins, owners


def _compile(build: Callable[..., QuerySet], values: Values) -> object:
    (first_values, first_owners), (second_values, second_owners) = (
        _stand_ins(values, base) for base in _STAND_IN_BASES
    )
    first = build(**first_values)
    if first._prefetch_related_lookups:
        raise ValueError(f"{build.__qualname__}: prefetch_related is not run on compiled queries")
    compiler = first.query.get_compiler(using=DEFAULT_DB_ALIAS)
    first_sql, first_params = compiler.as_sql()
    second_sql, second_params = build(**second_values).query.sql_with_params()
    if first_sql != second_sql or len(first_params) != len(second_params):
        return _UNCACHEABLE
    slots = []
    for a, b in zip(first_params, second_params, strict=True):
        owner = first_owners.get(a) if isinstance(a, int) else None
        if owner is not None and second_owners.get(b) == owner:
            slots.append(owner)
        elif a == b and owner is None:
            slots.append(("", a))
        else:
            return _UNCACHEABLE
    converters = compiler.get_converters([column[0] for column in compiler.select[:compiler.col_count]])
    return _Compiled(first.model, first_sql, tuple(slots), compiler, converters)


def _shape(build: Callable[..., QuerySet], values: Values) -> tuple:
    return (build, *((key, len(v) if isinstance(v, list) else None) for key, v in values.items()))


def _padded(value: int | list[int]) -> int | list[int]:
    if not isinstance(value, list) or not value:
        return value
    size = 1 << (len(value) - 1).bit_length()
    return value + [value[-1]] * (size - len(value))


def _prepare(build: Callable[..., QuerySet], values: Values) -> tuple[object, str]:
    """The compiled query for these values' shape (or _UNCACHEABLE) and the database alias
    to read from."""
    key = _shape(build, values)
    compiled = _compiled.get(key)
    if compiled is None:
        compiled = _compiled[key] = _compile(build, values)
        if compiled is _UNCACHEABLE:
            logger.warning(
                "%s is rebuilt on each call: its SQL depends on more than its values",
                build.__qualname__,
            )
    if compiled is _UNCACHEABLE:
        return compiled, ""
    # Routed per call: anonymous requests may read from the replica.
    return compiled, router.db_for_read(compiled.model) or DEFAULT_DB_ALIAS


def _count_sql(build: Callable[..., QuerySet], values: Values) -> tuple[str, str, list]:
    values = {name: _padded(value) for name, value in values.items()}
    compiled, alias = _prepare(build, values)
    if compiled is _UNCACHEABLE:
        queryset = build(**values)
        return queryset.db, *queryset.query.sql_with_params()
    return alias, compiled.sql, compiled.params(values)


def _fetch(compiled: _Compiled, alias: str, values: Values) -> list:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params(values))
        fetched = cursor.fetchall()
    if not compiled.converters:
        return fetched
    converted = []
    for row in fetched:
        row = list(row)
        for position, (functions, expression) in compiled.converters.items():
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        converted.append(tuple(row))
    return converted


def rows(build: Callable[..., QuerySet], **values: int | list[int]) -> list[tuple]:
    """The rows of `build(**values)`, a values_list() queryset, compiled once per shape (the
    lengths of list values). `build` is called with stand-in integers (a list of as many
    for a list value): it must use them in filters only."""
    values = {name: _padded(value) for name, value in values.items()}
    compiled, alias = _prepare(build, values)
    if compiled is _UNCACHEABLE:
        return list(build(**values))
    return _fetch(compiled, alias, values)


def count(build: Callable[..., QuerySet], **values: int | list[int]) -> int:
    """`build(**values).count()`, compiled once per shape (see `rows`)."""
    alias, sql, params = _count_sql(build, values)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS counted", params)
        return cursor.fetchone()[0]


# Per compiled query and database alias: what turns a row into instances (Django's
# RelatedPopulator records the alias on each instance it makes).
_populators: dict[tuple[int, str], tuple] = {}


def _row_maker(compiled: _Compiled, alias: str) -> tuple:
    key = (id(compiled), alias)
    made = _populators.get(key)
    if made is None:
        select, klass_info = compiled.compiler.select, compiled.compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        made = _populators[key] = (
            klass_info["model"], start, end,
            [column[0].target.attname for column in select[start:end]],
            get_related_populators(klass_info, select, alias),
        )
    return made


def instances(build: Callable[..., QuerySet], **values: int | list[int]) -> list[Model]:
    """`list(build(**values))`, model instances with what its select_related() and defer()
    say, compiled once per shape (see `rows`). `build` may not prefetch_related() nor
    annotate()."""
    values = {name: _padded(value) for name, value in values.items()}
    compiled, alias = _prepare(build, values)
    if compiled is _UNCACHEABLE:
        return list(build(**values))
    model, start, end, attnames, related = _row_maker(compiled, alias)
    made = []
    for row in _fetch(compiled, alias, values):
        instance = model.from_db(alias, attnames, row[start:end])
        for populator in related:
            populator.populate(row, instance)
        made.append(instance)
    return made
