"""Writes compose/build/extra-ca/: the CA certificates this host trusts beyond Debian's stock set.

Behind a TLS-intercepting proxy the host trusts the proxy's CA; images must too, or Maven and pip fail
inside builds. EXTRA_CA_BUNDLE (a PEM file) overrides the detection; on an ordinary machine the folder
stays empty and the images trust exactly Debian's bundle. One file per certificate: Java's trust
store (ca-certificates-java) imports only the first certificate of a file.
"""

import glob
import os
import re
import sys

PEM = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)
HOST_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
STOCK_DIR = "/usr/share/ca-certificates"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compose", "build", "extra-ca")


def certs(path):
    with open(path, encoding="ascii", errors="replace") as f:
        return PEM.findall(f.read())


def key(cert):
    return "".join(cert.split())


def extra_certs():
    explicit = os.environ.get("EXTRA_CA_BUNDLE", "").strip()
    if explicit:
        return certs(explicit), f"EXTRA_CA_BUNDLE={explicit}"
    if not os.path.exists(HOST_BUNDLE):
        return [], "no host bundle"
    stock = {key(c) for f in glob.glob(f"{STOCK_DIR}/**/*.crt", recursive=True) for c in certs(f)}
    return [c for c in certs(HOST_BUNDLE) if key(c) not in stock], HOST_BUNDLE


def main():
    found, source = extra_certs()
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".crt"):
            os.remove(os.path.join(OUT, old))
    for i, cert in enumerate(found, 1):
        with open(os.path.join(OUT, f"lab-extra-{i}.crt"), "w", encoding="ascii") as f:
            f.write(cert + "\n")
    print(f"[provision] extra CA certificates for image builds: {len(found)} (from {source})")


if __name__ == "__main__":
    sys.exit(main())
