"""What the Rasa server (Python 3.10) and the action server (Python 3.11) agree on.

Standard library only: both processes import it, and it imports nothing else of ours. It holds the
names a channel writes into a message's metadata, how a connector signs what it has verified, what
personal data looks like and how it is masked, conversation ids, the log sanitiser, and the rules for
secrets and development mode.
"""
