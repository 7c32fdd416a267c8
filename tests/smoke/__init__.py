"""`make smoke`: the multi-node smoke test (issue #12).

One machine plays a small deployment, every part of it private to the run:
its own PostgreSQL cluster and redis-server on free ports, moto's S3 server,
an SMTP sink, two gunicorn instances behind one nginx, two Celery workers and
one beat, all on the production settings with the staging switch on. A
citizen then goes through the portal over HTTP, through nginx only, while
the driver breaks things underneath: a worker's build process is killed with
SIGKILL, PostgreSQL is restarted.

- ``stack.py``: starting, watching and stopping the processes;
- ``postgres.py``: the run's own PostgreSQL cluster;
- ``browser.py``: an HTTP client that behaves like a browser on localhost;
- ``scenario.py``: the steps and what each must show;
- ``__main__.py``: ``python -m tests.smoke``, the summary line and the exit code.

The scenario is not a pytest test: CI runs it with ``make smoke`` after
``make test``. ``test_driver.py`` checks the driver's own parts within ``make test``.
"""
