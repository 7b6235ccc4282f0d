"""Refuse, before any view runs, request values that no page of the portal accepts and that
would otherwise reach the database or a parser and answer 500 (finding 11):

- a NUL character anywhere (query string, form, file names, JSON, URL): PostgreSQL refuses
  it in a text column and it hides text from the people who read it;
- a number of 19 digits or more in an id, page or filter field: beyond every integer column;
- an URL id beyond 2**31 - 1 (the `int` and FAB's `<pk>` routes): 404;
- a REST `q` argument nested deeper than 20 levels (the rison parser recurses), or that is
  not a rison object.

A refusal is a French 400 page (JSON on /api/), nothing is read further and nothing changes.
"""

from __future__ import annotations

import re

from flask import Flask, abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_DEPTH = 20
_HUGE_NUMBER = re.compile(r"\s*[-+]?\d{19,}\s*")
_NUMBER_INSIDE = re.compile(r"\d{19,}")


class RefusedInput(BadRequest):
    """A request value refused by the guard; `kind` picks the French message."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind


class BoundedInt(IntegerConverter):
    """`<int:…>` routes: an id past the integer columns is a missing page, not a SQL error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _strings(value, key: str = "", depth: int = 0):
    """(key, text) for every string of a JSON value (keys too); refuses oversized integers
    and nesting deeper than 64."""
    if depth > 64:
        raise RefusedInput("depth")
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_ID:
            raise RefusedInput("number")
    elif isinstance(value, dict):
        for name, item in value.items():
            yield "", str(name)
            yield from _strings(item, str(name), depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key, depth + 1)


# Fields that hold an id, a page number or a list filter (payment services' references are
# long digit strings too: only these names are checked for oversized numbers).
_ID_FIELDS = {"id", "pk", "rowid", "page", "child", "service", "guardian", "remove", "row",
              "document_type", "family", "person", "invoice", "school"}


def _id_like(key: str) -> bool:
    return key in _ID_FIELDS or key.endswith("_id") or key.startswith(("page_", "psize_",
                                                                          "_flt_"))


def _check_text(text: str, key: str = "") -> None:
    if "\x00" in text:
        raise RefusedInput("nul")
    if _id_like(key) and len(text) < 40 and _HUGE_NUMBER.fullmatch(text):
        raise RefusedInput("number")


def _check_rison(text: str) -> None:
    """FAB reads `q` as a rison object; anything else (a bare number, a list) is a 500 in
    its handlers."""
    import prison

    try:
        value = prison.loads(text)
    except Exception:  # prison raises ParserException and plain errors on bad input
        raise RefusedInput("query") from None
    if not isinstance(value, dict):
        raise RefusedInput("query")


def _rison_depth(text: str) -> int:
    depth = deepest = 0
    for token in re.finditer(r"!?\(|\)", text):
        depth += 1 if token.group(0) != ")" else -1
        deepest = max(deepest, depth)
    return deepest


def check_request() -> None:
    if "\x00" in request.path or "%00" in request.full_path.split("?", 1)[0]:
        raise RefusedInput("nul")
    for key, value in request.args.items(multi=True):
        _check_text(key)
        _check_text(value, key)
        if key == "q" and request.path.startswith("/api/"):
            # FAB's REST arguments (rison): parsed recursively, numbers go to SQL.
            if _rison_depth(value) > MAX_DEPTH:
                raise RefusedInput("depth")
            if _NUMBER_INSIDE.search(value):
                raise RefusedInput("number")
            _check_rison(value)
    if key_values := getattr(request, "view_args", None):
        for value in key_values.values():
            if isinstance(value, str) and value.isdigit() and int(value) > MAX_ID:
                abort(404)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json:
        for key, text in _strings(request.get_json(silent=True)):
            _check_text(text, key)
        return
    if request.mimetype != "multipart/form-data":
        # Keep the raw body readable after the form is parsed (payment notifications
        # verify their signature on it).
        request.get_data(cache=True, parse_form_data=False)
    for key, value in request.form.items(multi=True):  # 413 here if the body is too large
        _check_text(key)
        _check_text(value, key)
    for key, upload in request.files.items(multi=True):
        _check_text(key)
        if upload.filename and "\x00" in upload.filename:
            raise RefusedInput("nul")


def register(app: Flask) -> None:
    """Runs first: before the CSRF check and FAB's own before_request."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)


def install_converters(app: Flask) -> None:
    """Before any route is added (create_app, before AppBuilder)."""
    app.url_map.converters["int"] = BoundedInt
