"""What runs inside the Rasa server (Python 3.10): our channel connectors, the tracker store, the
server's start-up and our patches to Rasa. Imports Rasa, its libraries and `contract`; never `bot`."""
