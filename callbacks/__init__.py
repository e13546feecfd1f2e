"""Callbacks, one module per page or shared feature, each with register(app).

Registered per app rather than with the global dash.callback: Dash hands global callbacks to
the first app that starts and then clears them, so a second app in one process (every test
after the first, or an app rebuilt after a config change) would otherwise have none.
"""

from callbacks import (
    admin,
    admin_imports,
    area,
    handover,
    home,
    incident,
    incidents,
    indicators,
    mobile,
    shell,
    tasks,
    wall,
    warnings,
)


def register_all(app) -> None:
    shell.register(app)
    home.register(app)
    wall.register(app)
    mobile.register(app)  # the phone view of the wall (issue 17)
    area.register(app)
    indicators.register(app)
    warnings.register(app)
    incident.register(app)
    incidents.register(app)
    handover.register(app)  # the shift handover's note, confirmation and print button (issue 16)
    tasks.register(app)  # my tasks by deadline, a unit's landing (issue 17)
    admin.register(app)
    admin_imports.register(app)  # also mounts its upload route (api/uploads.py)
