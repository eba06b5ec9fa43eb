"""Volunteer mediation inside Telegram: escalation, routing, the relay and the volunteer tools."""
