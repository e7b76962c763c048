"""Session-wide settings: nbval executes the notebooks in FAST mode.

This file sits at the repository root so that it applies to the notebooks that
nbval collects from notebooks/ and solutions/, not only to tests/.
"""

import os

os.environ.setdefault("DNNBOOK_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
