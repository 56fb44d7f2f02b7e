"""Exam statistics reviews and standard setting on the forms of the item bank (9.3.1, 9.3.5).

Responses per form administration feed the psychometrics engine (`peritus.psychometrics`);
reviews of the statistics are opened on schedule and closed with a conclusion (R19); modified
Angoff studies set the cut score that becomes a form's pass rule, and a form is released for use
only with an approved one (R18). See `models.py` for the records and `services/` for the rules.
"""
