"""UI strings of the installable app (zh, en): its name on the home screen and what assets/pwa.js says
offline. components/i18n.py merges them into STRINGS; api/pwa.py hands the page's set to the browser."""

from __future__ import annotations

PWA: dict[str, tuple[str, str]] = {
    # the web manifest (api/pwa.py)
    "pwa_name": ("上海城运一网统管", "Shanghai City Operations"),
    "pwa_short_name": ("城运", "City Ops"),
    "pwa_description": (
        "上海市城市运行“一网统管”：城市体征、事件处置与五色预警",
        "Shanghai city operations: vital signs, incidents and five-colour warnings",
    ),
    # the offline banner (assets/pwa.js): {time} is HH:MM of the last successful update, Shanghai time
    "pwa_offline_at": ("离线：显示的是 {time} 的数据", "Offline: showing data from {time}"),
    "pwa_offline": ("离线：数据暂停更新", "Offline: the data is not updating"),
    # a write while offline, or one the network dropped
    "pwa_refused": ("离线，未提交：联网后请再提交", "Offline, not submitted: submit again once connected"),
    "pwa_failed": ("网络中断，操作未提交，请重试", "The network dropped: nothing was submitted, please try again"),
    # handling photos taken offline (the queue in assets/pwa.js)
    "pwa_queued_one": ("1 张照片待上传", "1 photo waiting to upload"),
    "pwa_queued_n": ("{n} 张照片待上传", "{n} photos waiting to upload"),
    "pwa_sent_one": ("1 张照片已上传", "1 photo uploaded"),
    "pwa_sent_n": ("{n} 张照片已上传", "{n} photos uploaded"),
    "pwa_photo_refused": (
        "有照片未被接收（事件可能已变化或照片不符合要求），请在事件页面重新拍摄",
        "A photo was not accepted (the incident may have moved on, or the photo does not fit): take it again",
    ),
    "pwa_queue_full": (
        "待上传的照片已满 {n} 张，请联网后再拍摄",
        "{n} photos are already waiting: connect before taking more",
    ),
    "pwa_logout_queued": (
        "还有 {n} 张照片未上传，退出登录会丢弃它们。仍要退出吗？",
        "{n} photos have not been uploaded yet and signing out drops them. Sign out anyway?",
    ),
}
