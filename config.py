"""Settings, read from environment variables (see the README's table).

Development defaults make `make run` work on a fresh machine; outside development
`SECRET_KEY` is required (checked in `app.create_app`).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _password_policy(password: str) -> None:
    from app.security.passwords import fab_validator

    fab_validator(password)


class Config:
    ENV_NAME = os.environ.get("PORTAL_ENV", "")
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portail.db'}"
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # A database restart leaves dead connections in the pool: test each one before use,
    # so the first request after the restart works (the app recovers by itself).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")

    # Flask-AppBuilder
    APP_NAME = os.environ.get("APP_NAME", "Portail Famille")
    APP_THEME = ""
    FAB_BASE_TEMPLATE = "portal/base.html"
    FAB_INDEX_VIEW = "app.views.home.HomeIndexView"
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.PortalSecurityManager"
    # Tables and permissions come from migrations and `flask portal init`, never implicitly.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = False
    FAB_ADD_SECURITY_PERMISSION_VIEW = False
    FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
    FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    # Anti-intrusion (app/services/login_guard.py): lock an account after this many failed
    # logins in a row, for a delay that doubles with each lock (up to the maximum); count
    # failed logins per client address too, sized for 50 parents behind one connection.
    PORTAL_MAX_FAILED_LOGINS = int(os.environ.get("PORTAL_MAX_FAILED_LOGINS", "5"))
    PORTAL_LOCK_MINUTES = int(os.environ.get("PORTAL_LOCK_MINUTES", "15"))
    PORTAL_LOCK_MAX_MINUTES = int(os.environ.get("PORTAL_LOCK_MAX_MINUTES", "1440"))
    PORTAL_ADDRESS_MAX_FAILURES = int(os.environ.get("PORTAL_ADDRESS_MAX_FAILURES", "200"))
    PORTAL_ADDRESS_WINDOW_MINUTES = int(os.environ.get("PORTAL_ADDRESS_WINDOW_MINUTES", "15"))
    # Sessions (app/security/sessions.py): idle and absolute timeouts.
    PORTAL_STAFF_IDLE_MINUTES = int(os.environ.get("PORTAL_STAFF_IDLE_MINUTES", "30"))
    PORTAL_IDLE_MINUTES = int(os.environ.get("PORTAL_IDLE_MINUTES", "30"))
    PORTAL_SESSION_MAX_HOURS = int(os.environ.get("PORTAL_SESSION_MAX_HOURS", "12"))
    # The one password policy, also on FAB's own user form (app/security/passwords.py).
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = staticmethod(_password_policy)
    # Reverse proxies in front of the app (nginx = 1): client addresses for rate limits.
    PORTAL_PROXY_HOPS = int(os.environ.get("PORTAL_PROXY_HOPS", "0"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    # Redis down or hung: count in this process (Flask-Limiter logs a warning) rather than
    # answer 500; a dead Redis costs at most PORTAL_BROKER_TIMEOUT seconds per try.
    PORTAL_BROKER_TIMEOUT = float(os.environ.get("PORTAL_BROKER_TIMEOUT", "2"))
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_timeout": PORTAL_BROKER_TIMEOUT,
        "socket_connect_timeout": PORTAL_BROKER_TIMEOUT,
    }
    # FAB defaults RATELIMIT_ENABLED to False, which silently disables AUTH_RATE_LIMIT.
    RATELIMIT_ENABLED = True
    AUTH_RATE_LIMITED = True
    # A flood guard on every login POST per address (successes included): sized for a
    # school's or town hall's shared connection; the CNIL counters are PORTAL_* above.
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "120 per minute")

    # Babel: French first and complete, English second.
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    BABEL_DEFAULT_FOLDER = str(BASE_DIR / "translations")
    # FAB puts its own catalogs first; ours come after and win (a relative path would
    # resolve inside app/).
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {
        "fr": {"flag": "fr", "name": "Français"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Security baseline
    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    # Other sites a form may lead to (CSP form-action): the PayFiP payment pages.
    PORTAL_CSP_FORM_ACTION = os.environ.get(
        "PORTAL_CSP_FORM_ACTION", "https://www.payfip.gouv.fr https://www.tipi.budget.gouv.fr"
    )

    # Mail
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Portail Famille <ne-pas-repondre@ville-saint-pere.fr>"
    )
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND", False)

    # The town (letterhead, calendar)
    PORTAL_TOWN_NAME = os.environ.get("PORTAL_TOWN_NAME", "Ville de Saint-Père")
    PORTAL_SCHOOL_ZONE = os.environ.get("PORTAL_SCHOOL_ZONE", "B")
    # Letterhead of invoices (app/services/billing/pdf.py); lines separated by "|".
    PORTAL_TOWN_ADDRESS = os.environ.get(
        "PORTAL_TOWN_ADDRESS", "Mairie|Place de la Mairie|35430 Saint-Père-Marc-en-Poulet"
    )
    PORTAL_TOWN_SIRET = os.environ.get("PORTAL_TOWN_SIRET", "")
    PORTAL_SERVICE_PHONE = os.environ.get("PORTAL_SERVICE_PHONE", "02 99 58 81 17")
    PORTAL_SERVICE_EMAIL = os.environ.get(
        "PORTAL_SERVICE_EMAIL", "affaires.scolaires@ville-saint-pere.fr"
    )
    # Invoicing questions (the brochure's contact for "facturation, portail famille").
    PORTAL_BILLING_PHONE = os.environ.get("PORTAL_BILLING_PHONE", "02 99 58 81 06")
    PORTAL_BILLING_EMAIL = os.environ.get(
        "PORTAL_BILLING_EMAIL", "cecile.clerivet@ville-saint-pere.fr"
    )
    # An invoice is due this many days after its issue date.
    PORTAL_INVOICE_DUE_DAYS = int(os.environ.get("PORTAL_INVOICE_DUE_DAYS", "30"))
    # Cheques are made out to the town's public accountant.
    PORTAL_CHEQUE_PAYEE = os.environ.get("PORTAL_CHEQUE_PAYEE", "Trésor public")
    PORTAL_UPLOAD_DIR = os.environ.get("PORTAL_UPLOAD_DIR", str(BASE_DIR / "instance" / "uploads"))
    # Issued invoices, credit notes and attestations: their PDF is rendered once, at issue
    # (Celery workers, in chunks), stored under PORTAL_UPLOAD_DIR/pdf with its SHA-256.
    PORTAL_PDF_AT_ISSUE = _bool("PORTAL_PDF_AT_ISSUE", True)
    PORTAL_PDF_CHUNK = int(os.environ.get("PORTAL_PDF_CHUNK", "25"))
    PORTAL_PDF_FONT_DIR = os.environ.get("PORTAL_PDF_FONT_DIR", str(BASE_DIR / "app" / "fonts"))
    # Staff lists count at most this many rows (« plus de 10 000 »): cheap on large tables.
    PORTAL_LIST_COUNT_CAP = int(os.environ.get("PORTAL_LIST_COUNT_CAP", "10000"))
    # Exports are streamed whole (no row cap: never a silently cut file); an XLSX over
    # Excel's 1,048,576 rows is refused with a message (app/views/exports.py).
    # Above these many rows an export is written by a background job (progress bar, then
    # « Télécharger »): XLSX, then CSV (streamed, so it can go further in a request).
    PORTAL_EXPORT_JOB_ROWS = int(os.environ.get("PORTAL_EXPORT_JOB_ROWS", "50000"))
    PORTAL_EXPORT_JOB_ROWS_CSV = int(os.environ.get("PORTAL_EXPORT_JOB_ROWS_CSV", "200000"))
    # The files of export jobs (PORTAL_UPLOAD_DIR/exports) are deleted after this many days.
    PORTAL_EXPORT_KEEP_DAYS = int(os.environ.get("PORTAL_EXPORT_KEEP_DAYS", "7"))
    # A fixed "now" (ISO datetime, Paris local time) for tests and demos: deadlines are
    # computed against it instead of the clock. Never honoured in production.
    PORTAL_FIXED_NOW = os.environ.get("PORTAL_FIXED_NOW") or None

    # Payments (app/services/payments). PAYMENT_BACKEND: "dummy" = the local payment
    # sandbox served by the app (/sandbox), "payfip_ws" = PayFiP (DGFiP) in production.
    PAYMENT_BACKEND = os.environ.get("PAYMENT_BACKEND", "dummy")
    PAYFIP_NUMCLI = os.environ.get("PAYFIP_NUMCLI", "")  # 6 digits, given by the DGFiP
    PAYFIP_SAISIE = os.environ.get("PAYFIP_SAISIE", "T")  # T test, W production
    # Minutes after which an unanswered online payment no longer blocks a new attempt.
    PAYMENT_PENDING_MINUTES = int(os.environ.get("PAYMENT_PENDING_MINUTES", "20"))
    # New bookings are refused while a family's overdue unpaid balance exceeds this amount
    # (euros, e.g. "150"); empty: off. Families can be exempted one by one.
    PORTAL_UNPAID_BLOCK_AMOUNT = os.environ.get("PORTAL_UNPAID_BLOCK_AMOUNT", "")
    # SEPA creditor (demo values: a valid test IBAN and ICS).
    SEPA_CREDITOR_NAME = os.environ.get("SEPA_CREDITOR_NAME", "Ville de Saint-Pere")
    SEPA_CREDITOR_IBAN = os.environ.get("SEPA_CREDITOR_IBAN", "FR7630006000011234567890189")
    SEPA_CREDITOR_BIC = os.environ.get("SEPA_CREDITOR_BIC", "AGRIFRPP")
    SEPA_CREDITOR_ID = os.environ.get("SEPA_CREDITOR_ID", "FR72ZZZ123456")

    # Accounts: lifetime of the e-mailed links, rate limit of the public account pages, and
    # the public address used in links built outside a request (Celery tasks).
    PORTAL_INVITE_HOURS = int(os.environ.get("PORTAL_INVITE_HOURS", "72"))
    PORTAL_RESET_HOURS = int(os.environ.get("PORTAL_RESET_HOURS", "2"))
    PORTAL_ACCOUNT_RATE_LIMIT = os.environ.get(
        "PORTAL_ACCOUNT_RATE_LIMIT", "5 per minute; 30 per hour"
    )
    PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "")
    # Mail outbox (app/services/mail.py): SMTP timeout (s), attempts before "failed",
    # and where development writes .eml files instead of sending.
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "30"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "20"))
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", "")  # empty: instance/mails

    # FranceConnect (app/services/franceconnect): off by default. The discovery URL is the
    # provider's /.well-known/openid-configuration (the local stand-in's in development).
    FRANCECONNECT_ENABLED = _bool("FRANCECONNECT_ENABLED", False)
    FRANCECONNECT_CLIENT_ID = os.environ.get("FRANCECONNECT_CLIENT_ID", "")
    FRANCECONNECT_CLIENT_SECRET = os.environ.get("FRANCECONNECT_CLIENT_SECRET", "")
    FRANCECONNECT_DISCOVERY_URL = os.environ.get("FRANCECONNECT_DISCOVERY_URL", "")
    FRANCECONNECT_SCOPES = os.environ.get(
        "FRANCECONNECT_SCOPES",
        "openid given_name family_name birthdate gender birthplace birthcountry",
    )
    FRANCECONNECT_ACR_VALUES = os.environ.get("FRANCECONNECT_ACR_VALUES", "eidas1")
    # API Particulier « quotient familial CAF & MSA »: on when a token is set; the recipient
    # is the town's SIRET (PORTAL_TOWN_SIRET unless API_PARTICULIER_RECIPIENT is set).
    API_PARTICULIER_URL = os.environ.get("API_PARTICULIER_URL", "https://particulier.api.gouv.fr")
    API_PARTICULIER_TOKEN = os.environ.get("API_PARTICULIER_TOKEN", "")
    API_PARTICULIER_RECIPIENT = os.environ.get("API_PARTICULIER_RECIPIENT", "")
    API_PARTICULIER_TIMEOUT = float(os.environ.get("API_PARTICULIER_TIMEOUT", "10"))
    API_PARTICULIER_RETRIES = int(os.environ.get("API_PARTICULIER_RETRIES", "3"))
    API_PARTICULIER_BACKOFF = float(os.environ.get("API_PARTICULIER_BACKOFF", "1"))
    # The yearly batch asks for one family at most every this many seconds (the service
    # allows 20 calls a second per token).
    API_PARTICULIER_BATCH_INTERVAL = float(os.environ.get("API_PARTICULIER_BATCH_INTERVAL",
                                                          "0.2"))


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND", True)


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Fast hashing in tests only (production keeps FAB's scrypt default).
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SUPPRESS_SEND = True
    REDIS_URL = ""
    # Tests that check the PDFs at issue turn this on (rendering costs ~0.1 s a document).
    PORTAL_PDF_AT_ISSUE = False
    # The State's services: off unless a test starts the stand-ins (tests/state/).
    FRANCECONNECT_ENABLED = False
    API_PARTICULIER_TOKEN = ""
    API_PARTICULIER_BACKOFF = 0.0
    API_PARTICULIER_BATCH_INTERVAL = 0.0


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"
    PORTAL_FIXED_NOW = None
    PAYMENT_BACKEND = os.environ.get("PAYMENT_BACKEND", "payfip_ws")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
