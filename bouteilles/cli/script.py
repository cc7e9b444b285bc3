"""The `bouteilles` console script: the same commands as `flask --app bouteilles`."""

from flask.cli import FlaskGroup

from .. import create_app

main = FlaskGroup(create_app=create_app, help="Bouteilles: the reuse tracker's commands.")
