"""Every component id, in one place (kebab-case, page prefix)."""

SHELL = {
    "location": "shell-location", "lang": "shell-lang", "nav": "shell-nav", "brand": "shell-brand",
    "links": "shell-links", "lang_link": "shell-lang-link", "tick": "shell-tick",
}
HOME = {
    "kpis": "home-kpis", "sources": "home-sources", "loop": "home-loop", "notice": "home-notice",
    "updated": "home-updated",
}
