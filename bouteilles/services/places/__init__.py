"""Places of the network as the public sees them: the return points, their
opening hours read as "open now", their distance from the visitor."""
