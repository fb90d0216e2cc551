"""Real threads for concurrency tests (PostgreSQL, `django_db(transaction=True)`)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def in_threads(count: int, work):
    """Run work(i) in `count` threads released together; each closes its own connection."""
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait()
        try:
            return work(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))
