"""A document's lines into a :class:`~xxgk.parse.report.Report`: the parser's stages, one concept a module.

:mod:`~xxgk.parse.document` is the one place that runs the stages, in order; each lives in its own module:

- ``sections``: where each heading stands, and the region of lines each table spans;
- ``labels``: which row a printed label names (the contract's aliases);
- ``table2``, ``table3`` (with ``cells``, one line's numbers into a row) and ``table4``: one per table, each
  read by its labels within its region;
- ``template``: 2019, 2021 or hybrid, from what the tables show;
- ``recover``: cells the document lost, placed only where the report's identities leave one answer;
- ``meta`` and ``facts``: the title's metadata, and the numbers the prose states;
- ``report``: what the stages fill in.
"""
