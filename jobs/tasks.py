"""The one task the queue knows: run a recorded Job. Everything else is a Job kind (services.HANDLERS)."""

from django_tasks import task

from . import services


@task()
def run_job(job_id: int) -> str:
    return services.execute(job_id)
