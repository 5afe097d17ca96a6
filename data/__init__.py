"""coderl's data room: the problem schema, JSONL I/O, dataset conversion, loaders, cleaning, the bundled suite."""

from data.jsonl import BadRowsError, RowError, load_problems, load_solutions, write_jsonl
from data.schema import CallTest, Problem, SchemaError, Solution, StdioTest

__all__ = [
    "BadRowsError", "CallTest", "Problem", "RowError", "SchemaError", "Solution", "StdioTest", "load_problems",
    "load_solutions", "write_jsonl",
]  # fmt: skip
