"""The geography settings (bouteilles/config.py), read from the app when there is one."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_app_context

# J'aime mes bouteilles' own limit for a loop, and the distance past which
# ADEME's study finds reusing glass no better than single use (docs/decisions.md,
# "Loop distances").
LOOP_LIMIT_KM = 300.0
REUSE_BREAK_EVEN_KM = 600.0
# Road distance ≈ great-circle distance × this, where no routing service answers.
DETOUR_FACTOR = 1.3
TIMEOUT_S = 5.0


@dataclass(frozen=True)
class GeoSettings:
    """Where to geocode and route (empty: not configured) and the loop limits."""

    geocoder_url: str = ""
    routing_url: str = ""
    detour_factor: float = DETOUR_FACTOR
    loop_limit_km: float = LOOP_LIMIT_KM
    break_even_km: float = REUSE_BREAK_EVEN_KM
    timeout_s: float = TIMEOUT_S


def geo_settings() -> GeoSettings:
    """The app's settings (the defaults outside an app: the command line's tests)."""
    if not has_app_context():
        return GeoSettings()
    config = current_app.config
    return GeoSettings(
        geocoder_url=(config.get("GEOCODER_URL") or "").strip(),
        routing_url=(config.get("ROUTING_URL") or "").strip().rstrip("/"),
        detour_factor=float(config.get("DETOUR_FACTOR", DETOUR_FACTOR)),
        loop_limit_km=float(config.get("LOOP_LIMIT_KM", LOOP_LIMIT_KM)),
        break_even_km=float(config.get("REUSE_BREAK_EVEN_KM", REUSE_BREAK_EVEN_KM)),
        timeout_s=float(config.get("GEO_TIMEOUT_S", TIMEOUT_S)),
    )
