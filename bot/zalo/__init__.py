"""The Zalo channel: message handlers (handlers.py), the Bot API client (client.py),
polling or the webhook (launch.py); replies are plain text (bot/plaintext.py)."""
