"""Survey reports over contact records (CTRs): the Athena SQL, and the same SQL offline on DuckDB.

`reports.queries` is pure Python (the stack reads it at synth); everything else runs offline.
This package may import `lambdas` constants, never `aws_cdk`, `stacks` or `flows`.
"""
