"""Running a compiled worksheet: the scalar evaluator (exact Decimals, the trace), the column
evaluator (numpy, exact scaled integers) and the result they produce."""
