"""Celery worker entry point: `celery -A app.worker worker --loglevel=info`."""

from . import create_app
from .tasks import celery

flask_app = create_app()
__all__ = ["celery", "flask_app"]
