"""The pages' forms (WTForms through Flask-WTF), one module per area.

A form checks the shape of what was typed and keeps it for showing again;
`base.py` holds what they share. Business rules stay in the services.
"""
