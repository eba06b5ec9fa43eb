"""Operating the bot: metrics, health, backups and the doctor's checks."""
