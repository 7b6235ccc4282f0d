"""`make translations`: extract, update and compile the fr and en catalogs.

Our source strings are French (app/, mapped by babel.cfg); Flask-AppBuilder's own strings
are English and its French catalog is incomplete, so they are extracted too and translated
in OUR catalogs, which Flask-Babel loads after FAB's (the later catalog wins).

- fr: a French source string is its own translation (filled automatically); FAB's strings
  are translated by hand in translations/fr/LC_MESSAGES/messages.po.
- en: FAB's strings are already English (filled automatically); ours are translated by
  hand in translations/en/LC_MESSAGES/messages.po.

Entries still empty are listed at the end: translate them, then run the target again.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "translations"
LOCALES = ("fr", "en")
KEYWORDS = {
    **DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_formatter_gettext": (1,),
}
FAB_COMMENT = "Flask-AppBuilder"
_FAB_MAP = [("**.py", "python"), ("templates/**.html", "jinja2")]
_FAB_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def fab_dir() -> Path:
    import flask_appbuilder

    return Path(flask_appbuilder.__file__).resolve().parent


def _extract(root: Path, method_map, options_map, prefix: str = "") -> Catalog:
    catalog = Catalog(fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(prefix + filename, lineno)],
                    auto_comments=comments, context=context)
    return catalog


def source_catalog() -> Catalog:
    """Our (French) strings, as babel.cfg maps them."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return _extract(ROOT, method_map, options_map)


def fab_catalog() -> Catalog:
    """Flask-AppBuilder's (English) strings."""
    return _extract(fab_dir(), _FAB_MAP, _FAB_OPTIONS, prefix="flask_appbuilder/")


def template(ours: Catalog, fab: Catalog) -> Catalog:
    pot = Catalog(project="Portail Famille", fuzzy=False)
    for message in ours:
        if message.id:
            pot[message.id] = _copy(message)
    for message in fab:
        if not message.id:
            continue
        if message.id in pot:
            pot[message.id].locations.extend(message.locations)
        else:
            entry = _copy(message)
            entry.auto_comments = [FAB_COMMENT]
            pot[message.id] = entry
    return pot


def _copy(message: Message) -> Message:
    return Message(message.id, "", list(message.locations), set(message.flags),
                   list(message.auto_comments), context=message.context)


def _key(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def fill(catalog: Catalog, ids: set[str]) -> None:
    """Entries whose msgid is already in the catalog's language translate to themselves."""
    for message in catalog:
        if message.id and _key(message.id) in ids and not _translated(message):
            if isinstance(message.id, tuple):  # singular, then the plural for every other form
                message.string = (message.id[0],) + (message.id[1],) * (catalog.num_plurals - 1)
            else:
                message.string = message.id
            message.flags.discard("fuzzy")


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def untranslated(catalog: Catalog) -> list[str]:
    return [
        _key(m.id) for m in catalog
        if m.id and (not _translated(m) or m.fuzzy)
    ]


def sync_locale(locale: str, pot: Catalog, same_language: set[str]) -> Catalog:
    po_path = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    if po_path.exists():
        with open(po_path, "rb") as handle:
            catalog = read_po(handle, locale=locale)
    else:
        catalog = Catalog(locale=locale, project="Portail Famille", fuzzy=False)
    # Catalog.update inserts the template's Message objects: give each locale its own.
    catalog.update(copy.deepcopy(pot), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    fill(catalog, same_language)
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=100, ignore_obsolete=True, include_previous=False)
    with open(po_path.with_suffix(".mo"), "wb") as handle:
        write_mo(handle, catalog)
    return catalog


def main() -> int:
    ours, fab = source_catalog(), fab_catalog()
    pot = template(ours, fab)
    with open(CATALOGS / "messages.pot", "wb") as handle:
        write_po(handle, pot, width=100)
    our_ids = {_key(m.id) for m in ours if m.id}
    fab_only = {_key(m.id) for m in fab if m.id} - our_ids
    same_language = {"fr": our_ids, "en": fab_only}
    for locale in LOCALES:
        missing = untranslated(sync_locale(locale, pot, same_language[locale]))
        print(f"{locale}: {len(pot)} messages, {len(missing)} to translate")
        for msgid in missing:
            print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
