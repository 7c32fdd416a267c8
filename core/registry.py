"""How apps contribute entries to a feature that lives below them.

A lower app (say ``personal_data``) must not import the apps above it, yet
it needs what each of them contributes (their categories of personal data).
The lower app owns a :class:`Registry` naming a module, and each app that
contributes puts its entries in a module of that name, registering them at
import. The owner's ``AppConfig.ready()`` calls :meth:`Registry.autodiscover`,
which imports that module from every installed app, as Django's admin finds
each ``admin.py``. So:

* the contributions sit beside the code they describe, in a module whose name
  says what it holds (``accounts/personal_data.py``);
* the lower app never names a higher one;
* by the time any request, task or command runs, every entry is registered.

The registries of the portal:

================================  ==========================  ==========================
registry                          owner                       contributing module
================================  ==========================  ==========================
personal-data categories          ``personal_data.registry``  ``<app>/personal_data.py``
notification kinds                ``notifications.kinds``     ``<app>/notification_kinds.py``
fan-out topics                    ``notifications.topics``    ``<app>/fanout_topics.py``
withdrawal hooks                  ``consents.withdrawal_hooks``  ``<app>/withdrawal_hooks.py``
fulfilment handlers               ``privacy_requests.fulfilment``  ``<app>/fulfilment.py``
================================  ==========================  ==========================
"""

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries under string keys, contributed by the apps' ``module`` modules.

    With ``many=False`` a key holds one entry and a second, different entry
    under it is a configuration error; with ``many=True`` a key holds a list,
    run in registration order (the order of ``INSTALLED_APPS``).
    """

    def __init__(self, *, name: str, module: str, many: bool = False):
        self.name = name
        self.module = module
        self.many = many
        self._entries: dict[str, list[T]] = {}

    def __repr__(self) -> str:
        return f"<Registry {self.name}: {len(self._entries)} keys>"

    def register(self, key: str, entry: T) -> T:
        """Add ``entry`` under ``key`` and return it; registering the same entry again is a no-op."""
        entries = self._entries.setdefault(key, [])
        if entry in entries:
            return entry
        if entries and not self.many:
            raise ImproperlyConfigured(f"{self.name}: {key!r} is registered twice")
        entries.append(entry)
        return entry

    def registers(self, key: str) -> Callable[[T], T]:
        """Decorator form of :meth:`register`."""

        def decorator(entry: T) -> T:
            return self.register(key, entry)

        return decorator

    def get(self, key: str) -> T:
        """The one entry under ``key``; ``LookupError`` when there is none."""
        entries = self._entries.get(key)
        if not entries:
            raise LookupError(f"{self.name}: nothing is registered as {key!r}")
        return entries[0]

    def get_all(self, key: str) -> tuple[T, ...]:
        """Every entry under ``key``, in registration order (empty when none)."""
        return tuple(self._entries.get(key, ()))

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def keys(self) -> list[str]:
        return list(self._entries)

    def entries(self) -> Iterator[T]:
        for entries in self._entries.values():
            yield from entries

    def autodiscover(self) -> None:
        """Import ``<app>.<module>`` from every installed app that has one."""
        autodiscover_modules(self.module)
