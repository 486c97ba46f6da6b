"""Background workers: the event indexer, the Merkle batcher and the reconciliation audit."""
