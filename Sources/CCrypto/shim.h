// OpenSSL's libcrypto (Debian libssl-dev): only the EVP digest API, for SHA-256 article identity.
#include <openssl/evp.h>
