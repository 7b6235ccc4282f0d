"""Communication: the actualités shown on the parents' home page.

FAB declares the list and the forms; saving and deleting are the commands of
`app.services.news` (`SaveNews`, `DeleteNews`), run by `NewsInterface` in place of FAB's own
commit."""

from __future__ import annotations

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from ...models import News
from ...services.errors import CommandError
from ...services.news import DeleteNews, SaveNews
from .common import PortalStaffView, add_menu_view, labels, reject


class NewsInterface(SQLAInterface):
    """FAB's data interface for news: the commands write, FAB never commits."""

    def add(self, item: News, commit: bool = True) -> None:
        SaveNews(item).run()

    def edit(self, item: News, commit: bool = True) -> None:
        SaveNews(item).run()

    def delete(self, item: News, commit: bool = True) -> None:
        DeleteNews(item).run()


class StaffNewsView(PortalStaffView):
    datamodel = NewsInterface(News)
    route_base = "/gestion/actualites"
    list_title = _l("Actualités")
    show_title = _l("Fiche actualité")
    add_title = _l("Nouvelle actualité")
    edit_title = _l("Modifier l'actualité")
    label_columns = labels({
        "body": _l("Texte"),
        "school": _l("École (vide = toutes)"),
        "published_on": _l("Publiée le"),
        "unpublished_on": _l("Retirée le (vide = jamais)"),
    })
    list_columns = ["title", "school", "published_on", "unpublished_on"]
    search_columns = ["title", "school", "published_on", "unpublished_on"]
    base_order = ("published_on", "desc")
    add_columns = ["title", "body", "school", "published_on", "unpublished_on"]
    edit_columns = add_columns
    show_columns = add_columns

    def pre_add(self, item: News) -> None:
        item.created_by_id = self.current_user_id()
        _check_news(item)

    def pre_update(self, item: News) -> None:
        _check_news(item)


def _check_news(item: News) -> None:
    """Refuse the form with every problem before FAB goes on (nothing is written)."""
    try:
        SaveNews(item).validate()
    except CommandError as refused:
        reject(refused.message)


def register(appbuilder: AppBuilder) -> None:
    add_menu_view(appbuilder, StaffNewsView, _l("Actualités"), "Communication", "fa-newspaper-o")
