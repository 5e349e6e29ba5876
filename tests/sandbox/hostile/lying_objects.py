# Expect: lies stay in the child: float() of a float subclass is the real value, a __float__
# that loops times out, a non-JSON answer is a "protocol" error and the child lives on.
class Liar(float):
    def __repr__(self):
        return "42.0"

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class Spinner:
    def __float__(self):
        while True:
            pass


class BadString:
    def __str__(self):
        raise RuntimeError("no string for you")


class HostileDict(dict):
    def items(self):
        raise RuntimeError("you will not serialise me")


def liar():
    return Liar(1.5)


def spinner():
    return Spinner()


def bad_string():
    return BadString()


def hostile_dict():
    return HostileDict(a=1)


def cyclic():
    a = []
    a.append(a)
    return a
