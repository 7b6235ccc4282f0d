"""HTTP answers of the back office's exports: a streamed CSV (a generator kept inside the
request by `stream_with_context`) and an XLSX written to a temporary file then streamed.
French file names with the portal's date: `familles-2026-12-01.xlsx`."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from flask import Response, flash, redirect, send_file, stream_with_context
from flask_babel import gettext as _

from ..services.calendar import local_today
from ..services.exports.writers import XLSX_MAX_ROWS, Column, csv_chunks, write_xlsx

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_name(stem: str, extension: str) -> str:
    return f"{stem}-{local_today().isoformat()}.{extension}"


def csv_response(stem: str, columns: list[Column], rows: Iterable[tuple]) -> Response:
    return Response(
        stream_with_context(csv_chunks(columns, rows)),
        mimetype="text/csv",
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={file_name(stem, 'csv')}"},
    )


def xlsx_response(stem: str, title, columns: list[Column], rows: Iterable[tuple],
                  back_url: str):
    """The workbook, or back to the list with a French message when it has more rows than
    Excel accepts (the CSV has no such limit): never a cut file."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (send_file closes it)
    try:
        write_xlsx(handle, str(title), columns, rows)
    except ValueError:
        handle.close()
        flash(_("Cette liste dépasse %(max)s lignes, la limite d'Excel : filtrez-la ou "
                "exportez-la en CSV.", max=f"{XLSX_MAX_ROWS:,}".replace(",", "\u202f")),
              "warning")
        return redirect(back_url)
    handle.seek(0)
    return send_file(handle, mimetype=XLSX_MIME, as_attachment=True,
                     download_name=file_name(stem, "xlsx"), max_age=0)
