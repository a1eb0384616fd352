"""The rule language, defined once: parsing with its safety limits, the functions and roundings
with their exact meanings, fixed-point helpers and dates. Knows nothing of tables or YAML."""
