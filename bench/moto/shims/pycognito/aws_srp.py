"""The client half of Cognito's SRP-6a (USER_SRP_AUTH), with pycognito's AWSSRP interface.

The math is the one packages/emulator/src/srp.ts documents: the 3072-bit group of RFC 5054,
g = 2, SHA-256, k = H(pad(N) | pad(g)), HKDF-SHA256 with info "Caldera Derived Key".
"""
import base64
import datetime
import hashlib
import hmac
import os
import re

N_HEX = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
G_HEX = "2"
INFO_BITS = bytearray("Caldera Derived Key", "utf-8")


def hash_sha256(buf):
    return hashlib.sha256(buf).hexdigest().rjust(64, "0")


def hex_hash(hex_string):
    return hash_sha256(bytearray.fromhex(hex_string))


def hex_to_long(hex_string):
    return int(hex_string, 16)


def long_to_hex(long_num):
    return "%x" % long_num


def pad_hex(value):
    text = value if isinstance(value, str) else long_to_hex(value)
    if len(text) % 2 == 1:
        return "0" + text
    if text[0] in "89ABCDEFabcdef":
        return "00" + text
    return text


def compute_hkdf(ikm, salt):
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, INFO_BITS + bytearray(chr(1), "utf-8"), hashlib.sha256).digest()[:16]


class AWSSRP:
    def __init__(self, username, password, pool_id, client_id, client=None, client_secret=None, **_):
        self.username = username
        self.password = password
        self.pool_id = pool_id
        self.client_id = client_id
        self.client = client
        self.client_secret = client_secret
        self.big_n = hex_to_long(N_HEX)
        self.g = hex_to_long(G_HEX)
        self.k = hex_to_long(hex_hash("00" + N_HEX + "0" + G_HEX))
        self.small_a_value = int.from_bytes(os.urandom(128), "big") % self.big_n
        self.large_a_value = pow(self.g, self.small_a_value, self.big_n)

    @staticmethod
    def get_secret_hash(username, client_id, client_secret):
        digest = hmac.new(client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256).digest()
        return base64.standard_b64encode(digest).decode("utf-8")

    def get_auth_params(self):
        params = {"USERNAME": self.username, "SRP_A": long_to_hex(self.large_a_value)}
        if self.client_secret is not None:
            params["SECRET_HASH"] = self.get_secret_hash(self.username, self.client_id, self.client_secret)
        return params

    def get_password_authentication_key(self, username, password, server_b_value, salt):
        u_value = hex_to_long(hex_hash(pad_hex(self.large_a_value) + pad_hex(server_b_value)))
        user_hash = hash_sha256(f"{self.pool_id.split('_')[1]}{username}:{password}".encode("utf-8"))
        x_value = hex_to_long(hex_hash(pad_hex(salt) + user_hash))
        base = server_b_value - self.k * pow(self.g, x_value, self.big_n)
        s_value = pow(base, self.small_a_value + u_value * x_value, self.big_n)
        return compute_hkdf(bytearray.fromhex(pad_hex(s_value)), bytearray.fromhex(pad_hex(long_to_hex(u_value))))

    def process_challenge(self, challenge_parameters, request_parameters=None):
        user_id = challenge_parameters["USER_ID_FOR_SRP"]
        now = datetime.datetime.now(datetime.timezone.utc)
        timestamp = re.sub(r" 0(\d) ", r" \1 ", now.strftime("%a %b %d %H:%M:%S UTC %Y"))
        key = self.get_password_authentication_key(
            user_id, self.password, hex_to_long(challenge_parameters["SRP_B"]), challenge_parameters["SALT"]
        )
        block = challenge_parameters["SECRET_BLOCK"]
        message = (
            bytearray(self.pool_id.split("_")[1], "utf-8")
            + bytearray(user_id, "utf-8")
            + bytearray(base64.standard_b64decode(block))
            + bytearray(timestamp, "utf-8")
        )
        response = {
            "TIMESTAMP": timestamp,
            "USERNAME": challenge_parameters["USERNAME"],
            "PASSWORD_CLAIM_SECRET_BLOCK": block,
            "PASSWORD_CLAIM_SIGNATURE": base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode(),
        }
        if self.client_secret is not None:
            response["SECRET_HASH"] = self.get_secret_hash(challenge_parameters["USERNAME"], self.client_id, self.client_secret)
        return response
