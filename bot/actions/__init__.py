"""Custom actions: thin adapters between Rasa's trackers and the feature packages of `bot`, one module
per feature (as in `data/` and `domain/`). They render; the feature packages decide."""
