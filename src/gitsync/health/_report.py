"""Short constructors for the reports the checks return, so each rule reads as one line."""

from __future__ import annotations

from gitsync.model import HealthReport, HealthStatus


def healthy(message: str = "") -> HealthReport:
    return HealthReport(HealthStatus.HEALTHY, message)


def suspended(message: str) -> HealthReport:
    return HealthReport(HealthStatus.SUSPENDED, message)


def progressing(message: str) -> HealthReport:
    return HealthReport(HealthStatus.PROGRESSING, message)


def degraded(message: str) -> HealthReport:
    return HealthReport(HealthStatus.DEGRADED, message)


def unknown(message: str) -> HealthReport:
    return HealthReport(HealthStatus.UNKNOWN, message)
