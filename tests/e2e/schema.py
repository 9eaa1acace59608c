"""The one JSON Schema validator of the end-to-end suites: every body a suite checks
against schemas/api/*.schema.json goes through errors() here. Not a suite itself.

Draft 2020-12, with the files' $refs to each other resolved from disk, and formats checked
by this module's own checkers (standard library only). jsonschema's own date-time check
needs a package Debian 12 does not have, and without it python3-jsonschema passes any
string: owning the checkers makes every machine check the same formats.
unchecked_formats() names any format a schema uses that is not checked here, so a new one
fails a test instead of passing unread."""
import datetime
import functools
import json
import os
import re
import warnings

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIR = os.path.join(ROOT, "schemas", "api")
BASE_ID = "https://halls.example/schemas/api/"

FORMATS = jsonschema.FormatChecker(formats=())

# RFC 3339 section 5.6; [0-9], not \d, which takes any Unicode digit.
_DATE_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
                        r"(\.[0-9]+)?(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))")


@FORMATS.checks("date-time")
def is_date_time(value):
    """RFC 3339 date-time: the shape, and a day the month has, hours to 23, minutes to 59,
    seconds to 60 (a leap second), an offset of at most 23:59."""
    if not isinstance(value, str):
        return True  # formats constrain strings only
    m = _DATE_TIME.fullmatch(value)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    offset_ok = m.group(8) is None or (int(m.group(8)) <= 23 and int(m.group(9)) <= 59)
    return hour <= 23 and minute <= 59 and second <= 60 and offset_ok


@functools.lru_cache(maxsize=None)
def schemas():
    """name -> schema, for every schemas/api/NAME.schema.json."""
    out = {}
    for f in sorted(os.listdir(DIR)):
        if f.endswith(".schema.json"):
            with open(os.path.join(DIR, f), encoding="utf-8") as fh:
                out[f[: -len(".schema.json")]] = json.load(fh)
    return out


@functools.lru_cache(maxsize=None)
def _validators():
    V = jsonschema.Draft202012Validator
    loaded = schemas()
    try:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
    except ImportError:  # jsonschema < 4.18 (Debian 12's 4.10): RefResolver
        store = {s["$id"]: s for s in loaded.values()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return {name: V(s, resolver=jsonschema.RefResolver(s["$id"], s, store=store),
                            format_checker=FORMATS) for name, s in loaded.items()}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012))
        for s in loaded.values())
    return {name: V(s, registry=registry, format_checker=FORMATS)
            for name, s in loaded.items()}


def errors(name, body):
    """What keeps body from matching schemas/api/NAME.schema.json, one "path: message" a
    line, in document order; [] when it matches. An unknown name raises KeyError."""
    found = sorted(_validators()[name].iter_errors(body),
                   key=lambda e: [str(p) for p in e.absolute_path])
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message[:300])
            for e in found]


def schema_errors(name):
    """Why schemas/api/NAME.schema.json is not a valid draft 2020-12 schema with the $id
    its file name gives it, or None when it is."""
    s = schemas()[name]
    try:
        jsonschema.Draft202012Validator.check_schema(s)
    except jsonschema.SchemaError as e:
        return str(e.message)
    if s.get("$id") != BASE_ID + name + ".schema.json":
        return "$id should be %s%s.schema.json" % (BASE_ID, name)
    return None


def unchecked_formats():
    """{format: [schema names]} for each "format" the schemas use that FORMATS does not
    check."""
    out = {}

    def walk(node, name):
        if isinstance(node, dict):
            f = node.get("format")
            if isinstance(f, str) and f not in FORMATS.checkers:
                out.setdefault(f, []).append(name)
            for v in node.values():
                walk(v, name)
        elif isinstance(node, list):
            for v in node:
                walk(v, name)

    for name, s in schemas().items():
        walk(s, name)
    return out
