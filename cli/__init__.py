"""The ``dataledger`` command line: serve, demo, audit, events, devnet."""
