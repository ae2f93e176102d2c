"""gunicorn's settings, read from the working directory by `gunicorn oimsite.wsgi` (README, Production).

A list's CSV export streams every matching row from one synchronous worker: about 100,000 rows in 20 s,
the whole returnee list at ×100 (561,132 rows) in about 2 minutes on a 2-core machine. gunicorn kills a
worker that has not finished its request after `timeout` seconds (30 by default), which would cut the
download short; 300 s leaves room for the largest export while still ending a stuck worker.
"""

timeout = 300
