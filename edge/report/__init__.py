"""Incident reporting: schema, durable outbox, MQTT publisher, fleet view.

The daemon composes :class:`edge.report.service.ReportingService` and hands its ``reporter`` (an
:class:`edge.report.base.IncidentReporter`) to tools. Modules: ``base`` (the interface), ``text``
and ``payload`` (pure), ``outbox`` (SQLite), ``reporter``, ``forwarder`` (asyncio), ``mqtt`` and
``fleet`` (the only ones importing paho), ``service``, ``localbroker`` (mosquitto for tests).
"""
