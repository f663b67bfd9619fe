"""The Firestore backend: the real deployment, shared by every desk and worker of a site."""
