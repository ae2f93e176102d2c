"""English as IOM Morocco writes it: day before month, as in French (Django's `en` is month-first, so that
12/09/2024 would read as December the 9th to one colleague and 12 September to another), 24-hour times.

Django falls back to its own `en` formats for anything not set here (numbers: 1,234.5).
"""

DATE_FORMAT = "j F Y"  # 12 September 2024
SHORT_DATE_FORMAT = "d/m/Y"  # 12/09/2024
DATETIME_FORMAT = "j F Y, H:i"  # 12 September 2024, 14:30
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 12/09/2024 14:30
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday

# The first is the one a form writes a date with (the admin's date fields); Django adds ISO (2024-09-12).
# Never month-first: 12/09/2024 is read as 12 September.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M:%S", "%d/%m/%y %H:%M"]
