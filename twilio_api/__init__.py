"""Twilio's REST API, through the twilio client: every talk with it goes through this package."""
