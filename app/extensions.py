"""Extensions, created once; bound to each app in `create_app`."""

from __future__ import annotations

from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = SQLA()
migrate = Migrate()
csrf = CSRFProtect()
mail = Mail()
