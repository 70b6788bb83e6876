from hypothesis import settings

# no example database in the repo; a fixed budget keeps the suite fast
settings.register_profile("ingest", database=None, max_examples=200, deadline=None)
settings.load_profile("ingest")
