"""The fleet side: a console that stores what devices send and sends commands back.

It shares only the JSON Schemas (:mod:`edge.schemas`) with the device side, and the generic MQTT
connection helper (:mod:`edge.report.mqtt`); the device never imports this package. Modules:
``db`` and ``migrations`` (one data layer over SQLite and PostgreSQL), ``messages`` (topics and
validation), ``store`` and ``queries`` (writes and reads), ``link`` (MQTT), ``console`` (the
service), ``auth``, ``web`` and ``templates/`` (pages), ``live`` (server-sent events),
``metrics`` (Prometheus), ``hass`` (Home Assistant discovery), ``watch`` (``edge fleet watch``).
"""
