"""The FAST/FULL switch shared by every executable notebook.

FULL runs produce the outputs that are committed and rendered in the book.
FAST runs (CI, nbval, a quick local check) use smaller subsets and fewer epochs.
The switch comes from the ``DNNBOOK_FAST`` environment variable so that tools
which cannot pass papermill parameters (nbval) can still ask for it.
"""

import contextlib
import os

FAST_ENV = "DNNBOOK_FAST"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def fast_mode_default() -> bool:
    """Return True when ``DNNBOOK_FAST`` asks for a FAST run (default: FULL)."""
    raw = os.environ.get(FAST_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{FAST_ENV}={os.environ[FAST_ENV]!r} is not understood; "
        "use 1 for a FAST run or 0 for a FULL run."
    )


@contextlib.contextmanager
def scoped_env(**values: str):
    """Set environment variables for the kernels started inside, then restore them."""
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
