"""A learner's own records: the learner tables, the `LearnerRecords` interface (`source.py`) with its
implementations over the local tables and the Karmayogi API, progress summaries, the CSV importer and
the demo data.

Imports `contract`, `bot.settings`, `bot.db` and `bot.validators`; never another feature package,
`bot.actions` or `bot.tools`.
"""
