"""Incident reporting: schema, durable outbox, MQTT publisher, fleet view."""
