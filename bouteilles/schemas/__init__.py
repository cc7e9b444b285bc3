"""The JSON API's schemas: what each operation takes and answers (pydantic models).

The same models read the requests (`routes/openapi.documented`, and the scans
in `services/movements/submissions`) and write the OpenAPI document
(`document.py`). `base.py` holds what they share: strict JSON types and the
French sentence of each fault. Nothing is imported here, so that a service can
read a scan without loading the other schemas.
"""
