"""Other platform services as OAuth2 clients (client credentials grant, django-oauth-toolkit).

A privacy officer registers a service in admin and chooses its scopes; the
service trades its client id and secret for a short-lived bearer token at
``/o/token/`` and presents it to the API. Only the token's hash is stored, and
the principal it stands for is cached so a warm API call spends no query on
authentication (``principal.py``).
"""
