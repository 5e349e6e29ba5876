# Expect: an answer larger than Limits.response_bytes is a "protocol" error.
def run(size):
    return "a" * size
