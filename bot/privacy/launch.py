"""Run a Python module (rasa, rasa_sdk) with our privacy settings in place first.

    python -m bot.privacy.launch rasa run ...
    python -m bot.privacy.launch rasa_sdk --actions actions ...

It turns telemetry off and installs log redaction before the module's own code runs.
"""

from __future__ import annotations

import runpy
import sys

from bot import env
from bot.privacy import logs


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: python -m bot.privacy.launch MODULE [ARGS...]")
    env.apply()
    logs.install()
    module, *rest = argv
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
