"""The catalog texts a page's JavaScript shows: static/js/core/i18n.js looks them up with
`t(key)`, so the modules never carry a sentence of their own."""
from __future__ import annotations

from webapp.core.i18n import strings, t


def page_strings(keys: tuple[str, ...] = (), prefixes: tuple[str, ...] = ()) -> dict[str, str]:
    """Each of `keys` and every key starting with one of `prefixes`, in the reader's language."""
    found = {k: t(k) for k in keys}
    for prefix in prefixes:
        found.update(strings(prefix))
    return found
