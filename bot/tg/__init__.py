"""The Telegram adapter: the only package that knows Telegram.

Platform part ("nothing lost"): ``intake`` (polling) and ``webhook`` store updates in the
inbox before acknowledging them; ``dispatcher`` runs them through PTB's handlers, one
``turn`` (transaction) each; ``sender`` delivers the outbox within flood limits
(``ratelimit``). Handlers, ``render`` and ``app`` build on ``turn.current_turn()``.
"""
