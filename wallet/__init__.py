"""pidm wallet: encrypted personal data locker, consent, presentation, history."""
