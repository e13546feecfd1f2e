"""UI strings of a unit's day on a phone (issue 17): the open work by deadline (/tasks), the field officer's
brief on the incident page, and the camera's photo buttons with their refusals (zh, en). components/i18n.py
merges them into STRINGS."""

from __future__ import annotations

TASKS: dict[str, tuple[str, str]] = {
    # --- /tasks: the open incidents the user must act on, nearest deadline first ---
    "nav_tasks": ("我的待办", "My tasks"),
    "tasks_title": ("我的待办", "My tasks"),
    "tasks_hint_unit": ("派遣给本单位、尚未处置完毕的事件：超时的在最前，其次是期限最近的。",
                        "Incidents dispatched to your unit and not yet handled: overdue first, then the nearest deadline."),
    "tasks_hint_area": ("辖区内已派遣、等待单位处置的事件：超时的在最前，其次是期限最近的。",
                        "Incidents of your area waiting on a unit: overdue first, then the nearest deadline."),
    "tasks_count": ("共 {n} 件", "{n} open"),
    "tasks_overdue": ("超时 {n} 件", "{n} overdue"),
    "tasks_empty_unit": ("暂无待办：没有派遣给本单位的未完成事件。", "Nothing to do: no open incident is dispatched to your unit."),
    "tasks_empty_area": ("暂无待办：辖区内没有等待单位处置的事件。", "Nothing waiting: no incident of your area is out with a unit."),
    "tasks_more": ("更多 → 事件列表：另有 {n} 件未列出", "More → the incident list: {n} not listed here"),
    "tasks_more_link": ("{status} {n} 件 ›", "{status}: {n} ›"),
    # --- one card ---
    "task_left": ("剩余 {t}", "{t} left"),
    "task_over": ("超时 {t}", "{t} overdue"),
    "task_no_due": ("无期限", "No deadline"),
    "task_parked": ("挂账中", "Parked"),
    "task_status_dispatched": ("待处置", "To start"),
    "task_status_handling": ("处置中", "In hand"),
    "task_urgent": ("紧急", "Urgent"),
    "dur_dh": ("{d}天{h}小时", "{d} d {h} h"),
    "dur_hm": ("{h}小时{m}分", "{h} h {m} min"),
    "dur_m": ("{m}分", "{m} min"),
    # --- the incident page on a phone: what a field officer reads first ---
    "inc_todo": ("下一步", "Next step"),
    "todo_start": ("到场后选择“开始处置”，拍摄处置前照片，然后提交。",
                   "On site, choose Start handling, take a before photo, then submit."),
    "todo_handled": ("处置完成后选择“处置完毕”，拍摄处置后照片并填写处置说明，然后提交。",
                     "When the work is done, choose Mark handled, take an after photo, write what was done, then submit."),
    # --- photos from the phone's camera or gallery ---
    "photo_camera": ("拍照", "Take a photo"),
    "photo_gallery": ("从相册选择", "From the gallery"),
    "photo_sending": ("正在压缩并上传照片…", "Resizing and uploading the photos…"),
    "photo_err_key": ("Idempotency-Key 须为 1-128 个可见 ASCII 字符，照片未保存。",
                      "An Idempotency-Key is 1-128 visible ASCII characters; the photo was not stored."),
    "photo_err_key_reused": ("该照片标识已用于另一事件或环节，照片未保存。",
                             "This photo's key was used for another incident or phase; the photo was not stored."),
    "photo_err_busy": ("系统繁忙，照片未保存，请重试。", "The system is busy and the photo was not stored; please try again."),
}  # fmt: skip
