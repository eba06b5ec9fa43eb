"""Follow-ups, deadline reminders, change notes and case outcomes in Telegram (issue 11)."""
