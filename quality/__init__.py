"""Quality: GX suites and Dagster asset checks.

Great Expectations may send usage statistics; offices run offline and nothing of ours should
call out, so the pipeline switches that off itself, before any module here imports GX.
"""

import os

os.environ["GX_ANALYTICS_ENABLED"] = "false"
