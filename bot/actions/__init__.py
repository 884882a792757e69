"""Custom actions: thin adapters between Rasa's trackers and the domain logic in `bot/`."""
