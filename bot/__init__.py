"""Karmayogi Sahayak's action server side (Python 3.11): everything behind Rasa's custom actions.

Imports run one way: `actions` (thin adapters to Rasa's trackers) → the feature packages `knowledge`,
`records`, `identity`, `helpdesk` → the ground floor (`settings`, `db`, `services`, `validators`,
`language`) → `contract`. `tools` (the command line and operator pages) sits on top of it all.
"""
