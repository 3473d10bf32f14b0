"""The platform as an OpenID Connect provider: one login for the co-op's services.

django-oauth-toolkit does the protocol (discovery, JWKS, authorization code with PKCE, tokens,
userinfo, logout); this package decides who may sign in to which service (``selectors``),
registers services and records sign-ins (``services``), words a refusal (``views``), puts the
membership in the claims and refuses a lapsed member's refresh (``validator``), and revokes
tokens when a membership changes (``receivers``). See docs/services.md.
"""
