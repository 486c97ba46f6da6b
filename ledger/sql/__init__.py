"""SQL stores (SQLModel): SQLite by default, PostgreSQL by URL; they never import the chain side."""
