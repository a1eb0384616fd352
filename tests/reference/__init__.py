"""Independent reference implementations of the publications and their printed tables, for tests."""
