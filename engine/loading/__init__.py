"""Files to model, every problem located at file:line:column: safe YAML, the JSON Schemas, the
builders of tables and worksheets, rule-set loading, the folder snapshot and the disk cache.
(Named ``loading``, not ``load``: ``engine.load`` is the public function that loads a year.)"""
