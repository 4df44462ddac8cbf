"""The Telegram channel: PTB handlers (handlers.py), HTML rendering (markup.py), requests
that wait out 429s and never send twice (delivery.py), start-up and webhooks (launch.py)."""
