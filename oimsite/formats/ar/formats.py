"""Arabic as IOM Morocco writes it: Western digits (0-9), as Django writes every language and as Morocco's
administration and IOM Morocco's documents do; day-first dates; 24-hour times.

Django's `ar` formats are kept for what they get right — the long date ("12 سبتمبر، 2024") and the
separators of numbers (2.196 and 15,7, as Morocco writes Arabic) — and replaced where they get in the way:
Django writes a short date with right-to-left marks between its parts (d‏/m‏/Y), invisible characters that a
copied date would carry into a search or a form, and that the site's text fields refuse. Without them,
12/09/2024 reads the same in an Arabic page as in a French one (a run of digits and slashes stays left to
right inside right-to-left text). Django's default input formats would read 12/09/2024 month first.
"""

DATE_FORMAT = "j F، Y"  # 12 سبتمبر، 2024 (Django's)
SHORT_DATE_FORMAT = "d/m/Y"  # 12/09/2024
DATETIME_FORMAT = "j F، Y، H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Morocco's calendars

# The first is the one a form writes a date with (the admin's date fields); Django adds ISO (2024-09-12).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M"]

# Django's own `ar` separators: 2.196 and 15,7.
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
