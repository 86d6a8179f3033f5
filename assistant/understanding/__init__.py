"""Question understanding from data: slots found by patterns (names), the kind of question and whether
the document answers it decided by small models fitted on the question bank."""
