"""Celery tasks of common (found by autodiscovery): the e-mail outbox's delivery pass."""

from common.outbox import outbox_deliver_task

__all__ = ["outbox_deliver_task"]
