"""The helpdesk console: the web app where staff see the queue of conversations handed to a person.

A separate process (`sahayak console`, started by `make run`) in the 3.11 environment. It reads and
writes the helpdesk's tables through `bot.helpdesk` and will speak to users through Rasa's HTTP API
(`bot.rasa_client`); nothing in the console is reachable without signing in.
"""
