"""Karmayogi Sahayak: domain logic behind the action server."""
