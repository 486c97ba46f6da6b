"""Adapters to the local file system: the delivery gateway's content store."""
