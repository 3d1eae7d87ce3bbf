"""Django settings, derived entirely from ``ketnav.config`` so there is one source of truth."""

from __future__ import annotations

from pathlib import Path

from ketnav.config import django_database, get_settings

_cfg = get_settings()

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = _cfg.secret_key
DEBUG = _cfg.debug
ALLOWED_HOSTS = list(_cfg.allowed_hosts)

INSTALLED_APPS = [
    # Without autodiscovery at start-up: ketnav.web.urls discovers the admin modules when the site's
    # URLs load. Every `ketnav` command starts Django, and importing each app's admin (and through it
    # the sync machinery and URL resolvers) cost a `ketnav search` about 0.2 s it never used.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "ninja",  # serves /api/docs from its bundled Swagger UI files, not from a CDN
    "ketnav.web",
    "ketnav.trials",
    "ketnav.safety",
    "ketnav.pharmacology",
    "ketnav.guide",
    "ketnav.clinics",
]

MIDDLEWARE = [
    "ketnav.web.activity.ActivityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "ketnav.web.limits.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ketnav.web.urls"
WSGI_APPLICATION = "ketnav.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketnav.web.context.site",
            ],
            "builtins": ["ketnav.web.templatetags.ketnav_tags"],
        },
    },
]

DATABASES = {"default": django_database(_cfg.database)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = _cfg.data_dir / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root even when it serves from finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app's static folders: a local user never runs collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# The same body limit as ketnav.web.limits (Django's own check covers forms read before the middleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# Content-Security-Policy on every response (django-csp): scripts, styles, images, fonts and requests
# come from this site only, never inline (templates keep JS and CSS in static files; a script that must be
# inline takes the request's nonce); no plugins, no framing, forms post only here. The site promises that
# nothing leaves the machine, and the browser now enforces it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if _cfg.production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS on every HTTPS response: browsers then refuse plain HTTP to this host for a year. Subdomains
    # are left out: a clinic's other hosts are not ours to commit to HTTPS.
    SECURE_HSTS_SECONDS = 365 * 24 * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # waitress warns "Task queue depth is N" whenever requests wait for a free thread, which happens
    # for a moment when a browser first asks for a page and its files at once. It is not a fault and
    # alarmed people starting the site; real errors from waitress still show.
    "loggers": {"waitress.queue": {"level": "ERROR"}},
}

KETNAV_DATA_DIR = _cfg.data_dir
# Search columns kept on disk and mapped by every process (ketnav.trials.search.colstore): a new process's
# first search opens them instead of reading every study. One directory per machine; safe to delete.
KETNAV_COLUMN_STORE: Path | None = _cfg.data_dir / "search-columns"

# --- accounts, journal, mail and sign-in lockout (issue 19; issue 15 item 7) --------------------------
# Kept in one block so other settings changes merge cleanly around it.
INSTALLED_APPS += ["axes", "ketnav.accounts", "ketnav.journal"]
# AxesMiddleware turns a locked-out sign-in (site, API or admin) into ketnav.accounts.lockout's 429.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# Axes first: it refuses a locked account before any password is checked. Accounts use Django's own
# User with the lower-cased email address as the username, so ModelBackend signs people in by email.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Argon2id (argon2-cffi) for new and re-hashed passwords; the others only verify older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "journal:home"
LOGOUT_REDIRECT_URL = "home"
KETNAV_SIGNUP = _cfg.signup
SESSION_COOKIE_AGE = 60 * 60 * 24 * 7  # a week; health data should not stay signed in for Django's 2 weeks
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = _cfg.login_failures
AXES_COOLOFF_TIME = _cfg.lockout_minutes / 60  # hours
# Lock the account, whichever address the attempts come from: a clinic behind one NAT address must not
# lock out every patient because one person mistyped.
# Behind a reverse proxy every request may carry the proxy's address, so an address-based lock could
# shut everyone out; hence axes.W006 (no ip_address parameter) is silenced on purpose.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # keep no log of successful sign-ins (personal data we do not need)
AXES_LOCKOUT_CALLABLE = "ketnav.accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "ketnav.accounts.lockout.username_from_request"
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address"]
AXES_VERBOSE = False

if _cfg.email.backend == "smtp":
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _cfg.email.host
    EMAIL_PORT = _cfg.email.port
    EMAIL_HOST_USER = _cfg.email.user
    EMAIL_HOST_PASSWORD = _cfg.email.password
    EMAIL_USE_TLS = _cfg.email.starttls
    EMAIL_USE_SSL = _cfg.email.ssl
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # printed by the server; nothing sent
DEFAULT_FROM_EMAIL = _cfg.email_from
SERVER_EMAIL = _cfg.email_from
KETNAV_EMAIL_CONFIGURED = _cfg.email.configured
