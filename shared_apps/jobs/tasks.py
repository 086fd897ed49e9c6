"""The workers' side of jobs: thin adapters over ``services``."""

from __future__ import annotations

from opsyn.celery import platform_task, tenant_task

from . import services


# Acknowledged only after it returns: a worker killed mid-run leaves the
# message to be delivered again, and the run to the sweeper.
@tenant_task(name="jobs.run", acks_late=True, reject_on_worker_lost=True)
def run_job(run_id: int) -> str:
    """Do one queued run in the tenant it was sent from."""
    return services.execute_run(run_id=run_id)


@platform_task(name="jobs.dispatch")
def dispatch(kind: str) -> int:
    """Make and send the scheduled runs of a kind that are due now."""
    return len(services.dispatch(kind=kind))


@platform_task(name="jobs.sweep")
def sweep() -> dict[str, int]:
    """Recover abandoned runs and resend lost ones."""
    return services.sweep_stale_runs()
