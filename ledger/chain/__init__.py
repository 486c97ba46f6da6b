"""Chain clients: connect to a chain, send transactions, and the three contracts seen from Python."""
