"""The admin and evaluator console in the browser: `hoidap web` (and `hoidap run` with
HOIDAP_WEB_ENABLED)."""
