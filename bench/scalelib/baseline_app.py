"""The scan benchmark's baseline: a bare Flask endpoint that checks a bearer token
(one indexed SELECT on api_tokens) and inserts one row in the same database."""

from __future__ import annotations

import hashlib
import os

from flask import Flask, abort, request
from sqlalchemy import text

from bouteilles.db.database import make_engine

app = Flask(__name__)
engine = make_engine(os.environ["DATABASE_URL"])


@app.post("/api/v1/scans")
def scan():
    header = request.headers.get("Authorization", "")
    digest = hashlib.sha256(header.removeprefix("Bearer ").encode()).hexdigest()
    body = request.get_json()
    with engine.begin() as conn:
        if conn.execute(text("SELECT user_id FROM api_tokens WHERE token_hash = :h"),
                        {"h": digest}).first() is None:
            abort(401)
        conn.execute(text("INSERT INTO bench_baseline (code, action, k) VALUES (:c, :a, :k)"),
                     {"c": body["code"], "a": body["action"], "k": body["idempotency_key"]})
    return {"ok": True}, 201
