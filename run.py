"""Development server entry point: `flask --app run run` (`make run`) or `python run.py`.

Without PORTAL_ENV, only the flask CLI and `python run.py` start development mode; gunicorn
or any other import of this module refuses to start (see `app.create_app`).
"""

import os

from app import create_app

if __name__ == "__main__":
    create_app(os.environ.get("PORTAL_ENV") or "development").run(host="127.0.0.1", port=5000)
else:
    app = create_app()
