"""Operator tools: the `sahayak` command line, the demo portal page and the Telegram webhook admin.

The top floor: they may import any package of `bot`; nothing else imports them.
"""
