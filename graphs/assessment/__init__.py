"""The assessment flow: reading a description, the interview, the rubric and its rules,
and the records of finished assessments."""
