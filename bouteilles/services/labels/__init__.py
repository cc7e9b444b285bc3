"""QR labels: minting codes for sheets, rendering labels and sheets, the fast QR encoder."""
