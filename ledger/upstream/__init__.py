"""Adapters to the holders' own APIs, which the delivery gateway proxies."""
