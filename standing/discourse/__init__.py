"""The forum through DiscourseConnect (docs/forum.md).

Discourse signs people in through this platform (``views.discourse_connect``) and is told
their groups, read from their memberships and circle seats (``selectors``); when a status or
a seat changes, ``tasks.discourse_sync`` pushes the new groups with Discourse's ``sync_sso``.
It lives in standing because the groups read membership and governance.
"""
