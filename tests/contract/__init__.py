"""Tests of `contract`: what both processes agree on."""
