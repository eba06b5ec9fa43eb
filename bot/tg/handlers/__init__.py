"""Telegram handlers: each parses an update, calls a service, and queues the output."""
