"""The WSGI app the brute-force test serves with gunicorn: the test suite's database
(PORTAL_TEST_DATABASE_URL), the testing configuration. Loaded once (--preload): the
connection pool is emptied so that each forked worker opens its own connections."""

import os

from app import create_app
from app.extensions import db

app = create_app("testing", SQLALCHEMY_DATABASE_URI=os.environ["PORTAL_TEST_DATABASE_URL"],
                 PORTAL_MAX_FAILED_LOGINS=int(os.environ.get("PORTAL_MAX_FAILED_LOGINS", "5")))
with app.app_context():
    db.engine.dispose()
