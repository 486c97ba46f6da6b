"""The portal's pages, one module per surface."""
