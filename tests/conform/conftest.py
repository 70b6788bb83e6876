from hypothesis import settings

settings.register_profile("conform", database=None, max_examples=200, deadline=None)
settings.load_profile("conform")
