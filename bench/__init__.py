"""Benchmark: our assistant against a stock `rasa init` bot on this machine, and the scaled deployment.

Run with `make bench` (or `python -m bench --help`). Figures go to results/bench.json and results/bench.png.
"""
