"""Offline benchmarks of chatkit-agents (``nox -s bench``): raw SDK floor vs converter vs server.

Run ``python -m benchmarks --help``; results are described in ``docs/performance.md``.
"""
