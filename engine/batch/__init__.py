"""Whole tables of returns: ``engine.evaluate_batch`` (DataFrame or Arrow table in and out, the
error policy, the row-by-row fallback) and ``ctax batch`` (CSV/Parquet files in and out)."""
