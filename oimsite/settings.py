"""Settings for the OIM Maroc case-management site, read from the environment.

Development defaults (DJANGO_DEBUG=1, embedded SQLite) make `make run` work on a fresh clone;
production sets DJANGO_DEBUG=0 and must then provide DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OIM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; anything else is refused, so that a typo (DJANGO_DEBUG=flase) is not read as no."""
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={os.environ[name]!r}: use 1 or 0 (true/false, yes/no, on/off).")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole-number setting of at least `minimum`; anything else is refused with the variable's name."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: a whole number of at least {minimum} is needed.")
    return number


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (
    SECRET_KEY == _DEV_SECRET_KEY
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    # The same bar as Django's security.W009, enforced at start-up instead of as a warning.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random string of at least 50 characters, not the development key "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "csp",
    "import_export",
    # The layers, bottom up: shared bases, the list-and-admin machinery, the domain apps, then the two apps
    # that read them all: the daily casework pages and reporting.
    "oimsite.core",
    "oimsite.lists",
    "accounts",
    "returns",
    "reintegration",
    "resettlement",
    "documents",
    "casework",
    "oimsite.reporting",
    "oimsite.baseline",
]
# populate, bench and the load test: for development and the test suite, never installed in production.
if DEBUG:
    INSTALLED_APPS.append("oimsite.devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: every response but a static file says no-store (personal data).
    "oimsite.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The office's language (OIM_LANGUAGE_CODE) or the one the user chose, never the browser's.
    "accounts.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # SQLite's "database is locked" after the busy timeout: a translated 503 "try again" page.
    "oimsite.middleware.DatabaseBusyMiddleware",
    # A NUL in the query string: 400 (PostgreSQL cannot hold one in a query).
    "oimsite.middleware.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login, except those marked with @login_not_required (Django 5.1+).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "oimsite.urls"

# django-filter: the empty choice of every select of the lists' filter forms ("no filter").
FILTERS_EMPTY_CHOICE_LABEL = _("— All —")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "oimsite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "oimsite.wsgi.application"

if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait their turn instead of failing: WAL lets readers go on while one writes;
    # IMMEDIATE takes the write lock when a transaction begins, so two read-then-write transactions cannot
    # deadlock (SQLite answers that at once, without waiting); the busy timeout is how long a write waits.
    # A write still waiting after it gets the 503 "try again" page (oimsite/middleware.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("DJANGO_SQLITE_BUSY_TIMEOUT", 20, minimum=1),
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before the password is even checked.
    "accounts.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
# /home/ sends each user to their start page: My work for those who own cases, the dashboard for others.
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGES = [("fr", _("French")), ("en", _("English")), ("ar", _("Arabic"))]
# The interface's language until a user picks another; the browser's Accept-Language is not consulted
# (accounts/language.py).
LANGUAGE_CODE = (os.environ.get("OIM_LANGUAGE_CODE") or "fr").strip()
if LANGUAGE_CODE not in [code for code, _name in LANGUAGES]:
    raise ImproperlyConfigured(
        f"OIM_LANGUAGE_CODE={LANGUAGE_CODE!r}: choose one of {', '.join(code for code, _name in LANGUAGES)}."
    )
# A language picked in the menu outlives the 30-minute session on that browser; a signed-in user's pick is
# also kept with their account and applied at each login.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# Dates day-first in English too (oimsite/formats/en/formats.py): 12/09/2024 is 12 September; Arabic with
# Western digits and day-first numeric dates (oimsite/formats/ar/formats.py).
FORMAT_MODULE_PATH = ["oimsite.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "oimsite" / "static"]
def env_json_object(name: str) -> dict:
    """A JSON object setting (a storage's options); anything else is refused with the variable's name."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name}: a JSON object is needed, such as {{\"bucket_name\": \"oim-documents\"}}.")
    return parsed


# Documents (documents/): kept outside the static files and of any URL, read back only through the download
# view. Local disk by default; an S3-compatible store with OIM_DOCUMENTS_BACKEND=storages.backends.s3.S3Storage
# and its options as JSON in OIM_DOCUMENTS_OPTIONS (README, "Documents").
OIM_DOCUMENTS_BACKEND = os.environ.get("OIM_DOCUMENTS_BACKEND") or "documents.storage.PrivateFileSystemStorage"
OIM_DOCUMENTS_OPTIONS = env_json_object("OIM_DOCUMENTS_OPTIONS")
if OIM_DOCUMENTS_BACKEND == "documents.storage.PrivateFileSystemStorage":
    OIM_DOCUMENTS_OPTIONS.setdefault("location", os.environ.get("OIM_DOCUMENTS_DIR") or str(VAR_DIR / "documents"))
# The largest document accepted (bytes); a larger file is dropped while it arrives (documents/uploads.py).
OIM_DOCUMENT_MAX_BYTES = env_int("OIM_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.DocumentSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Uploaded files are readable by the server's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# An admin import's uploaded file between its dry run and its confirmation (oimsite/lists/import_files.py): a
# private directory, emptied of abandoned imports' files.
OIM_IMPORT_FILES_DIR = os.environ.get("OIM_IMPORT_FILES_DIR") or str(VAR_DIR / "imports")
IMPORT_EXPORT_TMP_STORAGE_CLASS = "oimsite.lists.import_files.ImportFileStorage"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "documents": {"BACKEND": OIM_DOCUMENTS_BACKEND, "OPTIONS": OIM_DOCUMENTS_OPTIONS},
    "import_export": {"BACKEND": "oimsite.lists.import_files.PrivateImportFileSystemStorage",
                      "OPTIONS": {"location": OIM_IMPORT_FILES_DIR}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# French country names in forms and lists; the ISO code is what is stored.
COUNTRIES_FIRST = ["MA"]
COUNTRIES_FIRST_REPEAT = False


# History rows record the user who made the change (HistoryRequestMiddleware).
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Security (issue #5): Django's deployment checklist and OWASP ASVS L2. ---------------------------

# Login throttling (django-axes, rules in accounts/lockout.py): 5 failures lock a username from one address,
# 50 failures lock an address whatever the usernames (password spraying), for 30 minutes. A success clears
# the failures of that username from that address only. Only a development machine may switch it off.
AXES_ENABLED = env_bool("AXES_ENABLED", True) if DEBUG else True
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
OIM_LOCKOUT_ADDRESS_FAILURE_LIMIT = 50
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # accounts/admin.py registers axes' admins itself (a safer date hierarchy)
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_HTTP_RESPONSE_CODE = 429
# Behind a reverse proxy, set DJANGO_PROXY_COUNT so that the client address (not the proxy's) is locked.
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0, minimum=1) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Sessions end after 30 minutes without a request, and when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Headers: no framing, no MIME sniffing, no full URL (it may hold a case number) sent to other sites.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Every page, the admin included, runs without inline script or style and loads nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # HSTS for a year, subdomains and preload: the site is served over HTTPS only.
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        # Only when the proxy sets this header itself and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Small-cell suppression in the aggregate export shared outside IOM: counts 1..threshold are hidden.
OIM_SUPPRESSION_THRESHOLD = env_int("OIM_SUPPRESSION_THRESHOLD", 5, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
