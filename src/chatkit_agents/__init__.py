"""Serve an OpenAI Agents SDK agent as a ChatKit backend."""

__version__ = "0.1.0"
