"""Installs the ``dnnbook`` Jupyter kernel into the current environment.

It is the environment's own Python with two differences that keep committed
outputs clean: TensorFlow's C++ log level is raised, and output written
directly to the process's file descriptors (TensorFlow's C++ logging) goes to
the terminal instead of into notebook cells. Python-level warnings still show
in cells, where the tests catch them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KERNEL_NAME = "dnnbook"

#: The environment that keeps TensorFlow's C++ start-up logs out of outputs;
#: the one place the course sets it (the kernel, the runner's device probe and
#: the JupyterLab test all use it).
QUIET_TF_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2"}


def kernel_spec() -> dict:
    return {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.capture_fd_output=False",
            "--IPKernelApp.log_level=ERROR",  # the kernel's own warnings (e.g. TCP transport) stay out of logs
        ],
        "display_name": "Python (dnnbook)",
        "language": "python",
        "env": dict(QUIET_TF_ENV),
        "metadata": {"debugger": False},
    }


def install(prefix: str | None = None) -> Path:
    folder = (
        Path(prefix or sys.prefix)
        / "share"
        / "jupyter"
        / "kernels"
        / KERNEL_NAME
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(
        json.dumps(kernel_spec(), indent=1) + "\n"
    )
    return folder


if __name__ == "__main__":
    print(f"installed the {KERNEL_NAME!r} kernel in {install()}")
