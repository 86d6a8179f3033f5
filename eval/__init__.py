"""Regression evaluation of answers against a hand-written Danish golden set (the top layer beside ui/)."""
