"""Accounts: sign-up, sign-in (email and password, argon2, lockout), roles, password reset, deletion."""
