"""Persons, LMS courses (contexts), resource links and enrolments.

Written on launch (and later from NRPS); every feature reads them, none owns them.
"""
