"""Answers from the circulars and guides: source documents, chunking, embeddings, the index, ingestion,
search, answer composition, the Hindi and Hinglish glossary, and what users said of the answers.

Imports the standard library and libraries, `contract`, `bot.settings`, `bot.db` and `bot.language`;
never another feature package, `bot.actions` or `bot.tools`.
"""
