"""Run a Python module (rasa, rasa_sdk) with our privacy settings in place first.

    python -m bot.privacy.launch rasa run ...
    python -m bot.privacy.launch rasa_sdk --actions actions ...

It turns telemetry off and installs log redaction before the module's own code runs.
"""

from __future__ import annotations

import logging
import runpy
import sys

from bot import env
from bot.privacy import logs


class _ButtonPayloadNoise(logging.Filter):
    """Rasa tries to fill `{...}` in every response as a slot placeholder, also in button payloads such as
    `/show_topic{"topic_id":"see_my_data"}`, and logs an ERROR each time it finds no such slot (the payload is
    kept as it is). Drop exactly those records so real errors stand out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "show_topic{" not in record.getMessage()


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: python -m bot.privacy.launch MODULE [ARGS...]")
    env.apply()
    logs.install()
    logging.getLogger("rasa.core.nlg.interpolator").addFilter(_ButtonPayloadNoise())
    module, *rest = argv
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
