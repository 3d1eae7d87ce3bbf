"""Settings for the commands that only read the registry (`ketnav search`, `ketnav match`).

The site's settings with only the trials app installed. Every `ketnav search` is a new process, and
populating the accounts, journal, admin, sessions, axes, CSP and django-ninja apps (importing their models,
and through ninja Django's HTTP and URL machinery) cost it about a tenth of a second of the time before its
first result. Those commands read trials tables only; `ketnav.cli.django_setup.require_migrated` then checks
the trials app's migrations, the only schema they read. Commands that write (load, sync, migrate, trial,
user) and the server use the full settings.
"""

from ketnav.web.settings import *  # noqa: F403

INSTALLED_APPS = ["ketnav.trials"]
MIDDLEWARE = []  # no requests are served
