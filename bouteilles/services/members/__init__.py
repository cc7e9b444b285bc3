"""Members: organisations, users, logins, API tokens, and the coordination's management of them."""
