"""Users, households, memberships, invitations and tokens."""
