"""The language understanding alone, in this process: CPU time per message for one or more trained models.

    python -m bench.nlu [MODEL ...] [--rounds 3] [--limit N]

Every model (models/assistant.tar.gz when none is named) reads the benchmark's own messages (bench/scenarios.py,
the first 160 conversations) in rounds, the models taking turns, after one warm-up pass each. It prints each
round's CPU milliseconds per message, their median, and how many messages the sentence model ran on.

Why beside `make bench`: a whole-server run moves by up to a third within minutes on this machine, so a change in
the model's data (more examples, a bigger vocabulary) cannot be told from the machine by one bench run before and
one after. Here the parts that do not change with the model (dialogue, actions, HTTP) are left out, and the models
take turns. CPU time can exceed wall time: numpy may use both cores for the sentence model.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.scenarios import our_script

CONVERSATIONS = 160


def bench_messages(conversations: int = CONVERSATIONS) -> list[str]:
    """What the simulated parents send in the first `conversations` conversations, in order."""
    return [turn.text for i in range(conversations) for turn in our_script(i).turns]


class SentenceModelCount:
    """Counts the messages the sentence model runs on, by wrapping the process's one encoder."""

    def __init__(self) -> None:
        from bot.nlp.encoder import encoder

        self.messages = 0
        model = encoder()
        run = model.encode

        def counted(texts: list[str]) -> Any:
            self.messages += len(texts)
            return run(texts)

        model.encode = counted  # type: ignore[method-assign]


async def _parse_all(agent: Any, texts: list[str]) -> float:
    """CPU seconds to parse every text."""
    started = time.process_time()
    for text in texts:
        await agent.parse_message(text)
    return time.process_time() - started


async def measure(models: list[Path], texts: list[str], rounds: int) -> dict[str, dict[str, Any]]:
    """{model: {"cpu_ms_per_msg": [each round], "median_ms": ..., "sentence_model_messages": per pass}}."""
    from rasa.core.agent import load_agent

    agents = {str(m): await load_agent(model_path=str(m)) for m in models}
    count = SentenceModelCount()
    results: dict[str, dict[str, Any]] = {}
    for name, agent in agents.items():  # warm-up: caches, lazy imports, the sentence model's first call
        before = count.messages
        await _parse_all(agent, texts)
        results[name] = {"cpu_ms_per_msg": [], "sentence_model_messages": count.messages - before}
    for turn in range(rounds):
        for name in list(agents) if turn % 2 == 0 else list(agents)[::-1]:
            seconds = await _parse_all(agents[name], texts)
            results[name]["cpu_ms_per_msg"].append(round(1000 * seconds / len(texts), 2))
    for result in results.values():
        result["median_ms"] = statistics.median(result["cpu_ms_per_msg"])
    return results


def main(argv: list[str] | None = None) -> int:
    from bot import env, speed
    from bot.training import MODEL_PATH

    env.apply()
    speed.apply("rasa")  # as the server runs (bot.privacy.launch)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not a debug line for every message parsed
    parser = argparse.ArgumentParser(prog="python -m bench.nlu", description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", type=Path, default=[MODEL_PATH])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=CONVERSATIONS, help="conversations whose messages are read")
    args = parser.parse_args(argv)
    missing = [str(m) for m in args.models if not m.is_file()]
    if missing or args.rounds < 1 or args.limit < 1:
        parser.error(f"no such model: {', '.join(missing)}" if missing else "--rounds and --limit must be 1 or more")
    texts = bench_messages(args.limit)
    results = asyncio.run(measure(args.models, texts, args.rounds))
    print(f"{len(texts)} messages, {args.rounds} round(s), CPU ms per message:")
    for name, result in results.items():
        rounds = ", ".join(f"{ms:.2f}" for ms in result["cpu_ms_per_msg"])
        print(f"  {name}: median {result['median_ms']:.2f} (rounds {rounds}); "
              f"sentence model ran on {result['sentence_model_messages']} of {len(texts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
