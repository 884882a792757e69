"""The helpdesk side: organisation requests ("Request for help" to add a missing organisation) and
escalations of conversations to staff, with their reference numbers. The helpdesk console grows here.

Imports `contract`, `bot.db` and `bot.validators`; never another feature package, `bot.actions` or
`bot.tools`.
"""
