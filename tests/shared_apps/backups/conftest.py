from tests.shared_apps.jobs.support import (  # noqa: F401
    backup_dir,
    killable_worker,
    live_db,
    scratch_tenants,
)
