"""Impact: batch and monthly figures, a member's share, the factor sets."""
