"""Who is asking: the proofs (a portal token, a verified phone, an e-mail code) and the links they make,
the mailer that sends the codes, and the audit trail of every proof and every lookup.

Imports `contract`, `bot.settings`, `bot.db`, `bot.validators` and the `LearnerRecords` interface of
`bot.records.source` (a proof names an employee); never `bot.actions` or `bot.tools`.
"""
