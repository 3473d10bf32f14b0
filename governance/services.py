"""Writes of the governance app."""


def admission_proposal_open(*, application, actor):
    """Open the Permanent Assembly proposal that admits an operational applicant.

    The hand-over point from the applications flow. The governance issue implements it; until
    then the application simply waits in ``awaiting_assembly``.
    """
    return None
