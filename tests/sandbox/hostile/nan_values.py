# Expect: NaN and infinities travel as JSON NaN/Infinity tokens; the caller checks them.
def run():
    return [float("nan"), float("inf"), -float("inf"), 1e308 * 10]
