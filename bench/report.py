"""The benchmark's results: ratios against the stock bot, a table on the terminal, JSON and a PNG chart."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

TARGETS = {
    "throughput_ratio_at_20": 1.6,  # ours / stock, messages per second at 20 concurrent conversations
    "p95_ms_at_20": 500.0,
    "rss_mb": 1000.0,
    "ready_s": 20.0,
    "training_s": 180.0,
}


def _level(result: dict[str, Any], concurrency: int) -> dict[str, Any] | None:
    return next((lv for lv in result.get("levels", []) if lv["concurrency"] == concurrency), None)


ROUND_FIGURES = ("throughput_msg_s", "p50_ms", "p95_ms", "p99_ms", "messages", "errors", "unexpected", "others_cpu_pct")


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One level's summary from the summaries of its rounds (`--rounds`): the round with the median throughput
    (the lower of the two middle ones for an even count), with `rounds` listing every round's figures in the order
    run, and the errors and unexpected replies of all rounds added up, so that no failure is hidden by the choice.
    One round is returned as it is."""
    if len(rounds) == 1:
        return rounds[0]
    middle = sorted(rounds, key=lambda r: r["throughput_msg_s"])[(len(rounds) - 1) // 2]
    return {
        **middle,
        "errors": sum(r["errors"] for r in rounds),
        "unexpected": sum(r["unexpected"] for r in rounds),
        "rounds": [{k: r.get(k) for k in ROUND_FIGURES} for r in rounds],
    }


def ratios(ours: dict[str, Any], stock: dict[str, Any]) -> list[dict[str, Any]]:
    """ours/stock for throughput and p95 at every level both ran. Where both ran the level in the same number of
    rounds, each round's ratio (round 1 of ours against round 1 of stock, ...) and their median: the machine's
    speed drifts between rounds, and the median of paired ratios is less moved by that than a ratio of medians."""
    rows = []
    for level in ours.get("levels", []):
        other = _level(stock, level["concurrency"])
        if other is None:
            continue
        mine, theirs = level.get("rounds", [level]), other.get("rounds", [other])
        pairs = list(zip(mine, theirs, strict=True)) if len(mine) == len(theirs) else [(level, other)]
        row: dict[str, Any] = {"concurrency": level["concurrency"]}
        for key, figure in (("throughput_ratio", "throughput_msg_s"), ("p95_ratio", "p95_ms")):
            each = [_ratio(a[figure], b[figure]) for a, b in pairs]
            known = [r for r in each if r is not None]
            row[key] = round(statistics.median(known), 2) if known else None
            if len(pairs) > 1:
                row[f"{key}_rounds"] = each
        rows.append(row)
    return rows


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


def target_check(ours: dict[str, Any], stock: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target on this machine: the measured figure, the target, and whether it is met."""
    at20 = _level(ours, 20) or {}
    ratio20 = next((r["throughput_ratio"] for r in ratios(ours, stock) if r["concurrency"] == 20), None)
    measured = {
        "throughput_ratio_at_20": ratio20,
        "p95_ms_at_20": at20.get("p95_ms"),
        "rss_mb": ours.get("rss_peak_mb"),
        "ready_s": ours.get("ready_s"),
        "training_s": ours.get("training_s"),
    }
    checks = {}
    for name, target in TARGETS.items():
        value = measured[name]
        at_least = name == "throughput_ratio_at_20"
        met = None if value is None else (value >= target if at_least else value <= target)
        checks[name] = {"measured": value, "target": (">= " if at_least else "<= ") + str(target), "met": met}
    return checks


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    return format(value, spec) if spec else str(value)


def table(results: dict[str, Any]) -> str:
    """The per-level figures of every target run, side by side, then the ratios and the targets."""
    lines = []
    runs = results["runs"]
    for name, run in runs.items():
        lines.append(f"\n== {name}: {run.get('description', '')}")
        lines.append(
            f"   ready in {_fmt(run.get('ready_s'), '.1f')} s; "
            f"training {_fmt(run.get('training_s'), '.0f')} s"
            f"{' (cached figure)' if run.get('training_cached') else ''}; Rasa RSS idle "
            f"{_fmt(run.get('rss_idle_mb'), '.0f')} MB, peak {_fmt(run.get('rss_peak_mb'), '.0f')} MB"
            + (
                f"; action server(s) {_fmt(run.get('rss_actions_mb'), '.0f')} MB"
                if run.get("rss_actions_mb")
                else ""
            )
        )
        lines.append(
            "   users  msgs  convs   msg/s   p50 ms   p95 ms   p99 ms  errors  unexpected  others' CPU"
        )
        for lv in run.get("levels", []):
            lines.append(
                f"   {lv['concurrency']:>5} {lv['messages']:>5} {lv['conversations']:>6} "
                f"{lv['throughput_msg_s']:>7.1f} {_fmt(lv['p50_ms'], '>8.0f')} {_fmt(lv['p95_ms'], '>8.0f')} "
                f"{_fmt(lv['p99_ms'], '>8.0f')} {lv['errors']:>7} {lv['unexpected']:>11}"
                f"  {_fmt(lv.get('others_cpu_pct'), '>10.0f')}%"
            )
            if lv.get("rounds"):
                lines.append(
                    f"         the median of {len(lv['rounds'])} rounds (msg/s "
                    + ", ".join(f"{r['throughput_msg_s']:.1f}" for r in lv["rounds"])
                    + "); errors and unexpected over all of them"
                )
    for key, title in (
        ("ours_vs_stock", "ours / stock"),
        ("ours_without_fixes_vs_stock", "ours without fixes / stock"),
        ("scaled_vs_stock", "scaled / stock"),
    ):
        if results.get(key):
            lines.append(f"\n== {title} (same run)")
            lines.append("   users  throughput    p95")
            for r in results[key]:
                each = r.get("throughput_ratio_rounds")
                lines.append(
                    f"   {r['concurrency']:>5} {_fmt(r['throughput_ratio'], '>10.2f')}x "
                    f"{_fmt(r['p95_ratio'], '>5.2f')}x"
                    + (f"   median of {len(each)} rounds: " + ", ".join(f"{_fmt(x, '.2f')}x" for x in each)
                       if each else "")
                )
    busy = [r.get("others_cpu_pct") or 0 for run in runs.values() for lv in run.get("levels", [])
            for r in lv.get("rounds", [lv])]
    if busy and max(busy) > 10:
        lines.append(
            f"\n!! Other processes used up to {max(busy):.0f}% of this machine's CPU during a level: "
            "those figures are low. Run again when the machine is quiet."
        )
    if results.get("targets"):
        lines.append("\n== targets (ours)")
        for name, check in results["targets"].items():
            verdict = {True: "met", False: "NOT met", None: "not measured"}[check["met"]]
            lines.append(f"   {name:<24} {_fmt(check['measured']):>8}  target {check['target']:<8} {verdict}")
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def plot(results: dict[str, Any], path: Path) -> None:
    """Latency (p50 and p95) and throughput against concurrency for every run, as one PNG."""
    import warnings

    warnings.filterwarnings("ignore", module="matplotlib")  # pyparsing deprecations in matplotlib 3.5
    warnings.filterwarnings("ignore", message=".*deprecated.*")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (latency, throughput) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, run in results["runs"].items():
        levels = [lv for lv in run.get("levels", []) if lv["messages"]]
        if not levels:
            continue
        users = [lv["concurrency"] for lv in levels]
        (line,) = latency.plot(users, [lv["p95_ms"] for lv in levels], marker="o", label=f"{name} p95")
        latency.plot(
            users,
            [lv["p50_ms"] for lv in levels],
            marker=".",
            linestyle="--",
            color=line.get_color(),
            label=f"{name} p50",
        )
        throughput.plot(users, [lv["throughput_msg_s"] for lv in levels], marker="o", label=name)
    latency.axhline(TARGETS["p95_ms_at_20"], color="grey", linewidth=0.8, linestyle=":")
    latency.set(title="Reply latency", xlabel="concurrent conversations", ylabel="ms")
    throughput.set(title="Throughput", xlabel="concurrent conversations", ylabel="messages / s")
    for axis in (latency, throughput):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    fig.suptitle(
        f"Parent Data Assistant vs stock Rasa {results.get('rasa_version', '')} "
        f"({results.get('machine', {}).get('cpus', '?')} CPUs, {results.get('started_at', '')})",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
