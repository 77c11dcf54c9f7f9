"""Run a Python module (rasa, rasa_sdk) with our privacy settings in place first.

    python -m bot.privacy.launch rasa run ...
    python -m bot.privacy.launch rasa_sdk --actions actions ...

It turns telemetry off, installs log redaction and applies the speed fixes of bot/speed.py before the
module's own code runs. In `rasa run` it also puts messages in their order, a message about danger now first
(bot/oldest_first.py): that is behaviour, so PDA_RASA_FIXES cannot turn it off; and `rasa run` gets the action
timeout of its endpoints file (bot/action_timeout.py).
"""

from __future__ import annotations

import runpy
import sys

from bot import action_timeout, env, oldest_first, speed
from bot.privacy import logs


def main(argv: list[str]) -> None:
    if not argv:
        raise SystemExit("usage: python -m bot.privacy.launch MODULE [ARGS...]")
    env.apply()
    module, *rest = argv
    speed.apply(module)  # before the module (or spaCy, for the action server) is imported
    if module == "rasa" and rest[:1] == ["run"]:  # a server: messages in order, danger now first
        oldest_first.install()
    logs.install()
    if module == "rasa" and rest[:1] == ["run"]:
        action_timeout.apply(rest)
    sys.argv = [module, *rest]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
