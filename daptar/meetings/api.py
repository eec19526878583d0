# (prefix, viewset, basename) triples that daptar/urls.py registers on the API router.
ROUTES: list = []
