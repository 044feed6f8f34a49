"""moto.cognitoidp.utils.create_id: a random id of AWS's client-id shape, for "does not exist" calls."""
import random
import string


def create_id():
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(26))
