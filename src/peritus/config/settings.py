"""Peritus settings: everything comes from the environment (see README, "Configuration").

Without PERITUS_DEBUG the settings are production settings and refuse to start with an insecure
default: no SECRET_KEY, no ALLOWED_HOSTS, no credential-signing key or a console mailer.
PERITUS_DEMO relaxes only what a local demonstration on http://127.0.0.1 needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from peritus.config.environment import (
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
    mailer_from_url,
)

# Several web and worker processes share the cores: one BLAS thread each keeps psychometric
# calibrations from oversubscribing the machine (measured: 1.5 s single-threaded against 3-16 s
# with two threads under load).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("PERITUS_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()

DEBUG = env_bool("PERITUS_DEBUG", default=False)
DEMO_MODE = env_bool("PERITUS_DEMO", default=False)
TESTING = env_bool("PERITUS_TESTING", default=False)
PRODUCTION = not DEBUG and not DEMO_MODE and not TESTING

_INSECURE_KEY = "insecure-development-key-never-use-in-production-0000000000"
SECRET_KEY = env_str("SECRET_KEY") or (_INSECURE_KEY if not PRODUCTION else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
EMAIL_URL = env_str("EMAIL_URL", "" if PRODUCTION else "console://")
SIGNING_KEY = env_str("PERITUS_SIGNING_KEY")  # Ed25519 private key, PEM text or path to a PEM file

if PRODUCTION:
    problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY == _INSECURE_KEY:
        problems.append("SECRET_KEY must be set to a random value of at least 50 characters")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must list the host names the site answers to")
    if not EMAIL_URL or EMAIL_URL.split(":", 1)[0] in {"console", "locmem"}:
        problems.append("EMAIL_URL must name a real mailer (smtp+tls://…)")
    if not SIGNING_KEY:
        problems.append("PERITUS_SIGNING_KEY must hold the Ed25519 key that seals certificates")
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start with insecure settings: " + "; ".join(problems)
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    # Peritus, in dependency order (docs/architecture.md)
    "peritus.core",
    "peritus.audit_trail",
    "peritus.accounts",
    "peritus.notifications",
    "peritus.scheduling",
    "peritus.impartiality",
    "peritus.qms",
    "peritus.schemes",
    "peritus.applications",
    "peritus.itembank",
    "peritus.exams",
    "peritus.certification",
    "peritus.registry",
    "peritus.recertification",
    "peritus.appeals",
    "peritus.complaints",
    "peritus.compliance",
    "peritus.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "peritus.accounts.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "peritus.config.urls"
WSGI_APPLICATION = "peritus.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peritus.web.context_processors.peritus",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]
FORM_RENDERER = "peritus.web.forms.PeritusFormRenderer"

# Database -------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'peritus.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and a worker side by side: WAL lets readers run beside the writer, IMMEDIATE
    # takes the write lock at BEGIN (no lock upgrade deadlocks), the busy timeout waits instead
    # of failing, and persistent connections avoid re-opening the file per request (ADR 0010).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("PERITUS_CACHE_URL")
if CACHE_URL.startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that stops answering must not hold requests for ever (the limiter then
            # counts per process until it answers again: core/ratelimit.py).
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
else:
    # Shared between gunicorn workers without another service: rate limits hold across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Accounts -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:after-login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_SIGNUP_FORM_CLASS = "peritus.accounts.forms.CandidateSignupForm"
ACCOUNT_ADAPTER = "peritus.accounts.adapters.PeritusAccountAdapter"
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Peritus] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = env_str("PERITUS_BODY_NAME", "Peritus")
# One 30-second step either side (RFC 6238 §5.2): a code typed as the phone turns to the next one
# is still accepted; a used code is never accepted twice (allauth remembers it).
MFA_TOTP_TOLERANCE = 1
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or DEMO_MODE

# Sessions and security ------------------------------------------------------------------------
HTTPS = env_bool("PERITUS_HTTPS", default=PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env_bool("PERITUS_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("PERITUS_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PERITUS_BEHIND_PROXY") else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("PERITUS_CSRF_TRUSTED_ORIGINS")
SILENCED_SYSTEM_CHECKS = (
    [] if HTTPS else ["security.W004", "security.W008", "security.W012", "security.W016"]
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("PERITUS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Files ----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Evidence, certificates and other private files live outside the web root and are only ever
# served through views that check permissions (no MEDIA_URL).
PRIVATE_FILES_DIR = Path(env_str("PERITUS_FILES_DIR", str(VAR_DIR / "files"))).resolve()
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_FILES_DIR), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Development and tests serve assets straight from the apps; production from collectstatic.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Mail -----------------------------------------------------------------------------------------
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
DEFAULT_FROM_EMAIL = env_str("PERITUS_FROM_EMAIL", "Peritus <no-reply@peritus.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks -----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# API ------------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# Peritus --------------------------------------------------------------------------------------
PERITUS: dict[str, Any] = {
    "BODY_NAME": env_str("PERITUS_BODY_NAME", "Peritus Certification Body"),
    "BODY_LEGAL_NAME": env_str("PERITUS_BODY_LEGAL_NAME", "Peritus Certification Body Ltd"),
    "BODY_ADDRESS": env_str("PERITUS_BODY_ADDRESS", "1 Example Street, Example City"),
    "BASE_URL": env_str("PERITUS_BASE_URL", "http://127.0.0.1:8000"),
    "SIGNING_KEY": SIGNING_KEY,
    "SIGNING_KEY_FILE": str(VAR_DIR / "signing-key.pem"),
    "VERIFICATION_RATE_LIMIT": env_rate("PERITUS_VERIFICATION_RATE_LIMIT", "120/m"),
    # Anonymous verification answered in front of the middleware stack (registry/responder.py).
    "VERIFICATION_RESPONDER": env_bool("PERITUS_VERIFICATION_RESPONDER", default=True),
    "AGREEMENT_VALIDITY_DAYS": env_int("PERITUS_AGREEMENT_VALIDITY_DAYS", default=365),
}

# Values ISO/IEC 17024 leaves to the body (each read where the rule lives, with this default).
PERITUS_TRAINING_LOOKBACK_YEARS = env_int("PERITUS_TRAINING_LOOKBACK_YEARS", default=2)
PERITUS_APPEAL_WINDOW_DAYS = env_int("PERITUS_APPEAL_WINDOW_DAYS", default=30)
PERITUS_EVIDENCE_MAX_BYTES = env_int("PERITUS_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
PERITUS_EVIDENCE_MAX_FILES = env_int("PERITUS_EVIDENCE_MAX_FILES", default=30)
PERITUS_EXAMS_MAX_ATTACHMENT_BYTES = env_int(
    "PERITUS_EXAMS_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024
)

# More of them, each with its default where the rule lives; the environment may set any of them
# (README, "Values the standard leaves to the body").
TUNABLE_WHOLE_NUMBERS = (
    "PERITUS_APPEALS_ACKNOWLEDGE_DAYS",
    "PERITUS_APPEALS_DECISION_DAYS",
    "PERITUS_APPEALS_PROGRESS_DAYS",
    "PERITUS_APPEALS_PANEL_SIZE",
    "PERITUS_COMPLAINTS_ACKNOWLEDGE_DAYS",
    "PERITUS_COMPLAINTS_TRIAGE_DAYS",
    "PERITUS_COMPLAINTS_RESOLUTION_DAYS",
    "PERITUS_SPOT_CHECK_PERCENT",
    "PERITUS_SURVEILLANCE_OVERDUE_CATCHUP_DAYS",
    "PERITUS_RETALIATION_WINDOW_DAYS",
    "PERITUS_RETALIATION_SCAN_DAYS",
    "PERITUS_WITHDRAWAL_PROPOSAL_ESCALATION_DAYS",
    "PERITUS_SUSPENSION_MAX_DAYS",
)
for _tunable in TUNABLE_WHOLE_NUMBERS:
    if os.environ.get(_tunable, "").strip():
        globals()[_tunable] = env_int(_tunable, default=0)
if os.environ.get("PERITUS_EXPIRY_REMINDER_DAYS", "").strip():
    PERITUS_EXPIRY_REMINDER_DAYS = [
        int(days) for days in env_list("PERITUS_EXPIRY_REMINDER_DAYS") if days.isdigit()
    ]
if os.environ.get("PERITUS_COMPLAINTS_FORM_RATE", "").strip():
    PERITUS_COMPLAINTS_FORM_RATE = env_rate("PERITUS_COMPLAINTS_FORM_RATE", "5/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("PERITUS_LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
