#pragma once
// A throwaway self-signed certificate for localhost and its key, made at run time with
// OpenSSL's C API and written as PEM files, for TLS tests: no checked-in keys, no `openssl` tool.

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace ledger::testing {

enum class key_kind { ec_p256, rsa_2048 };

struct pem_files {
    std::filesystem::path cert;
    std::filesystem::path key;
};

namespace detail {
struct openssl_free {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
    void operator()(X509* cert) const { X509_free(cert); }
    void operator()(X509_EXTENSION* extension) const { X509_EXTENSION_free(extension); }
    void operator()(std::FILE* file) const { std::fclose(file); }
};
template <class T>
using openssl_ptr = std::unique_ptr<T, openssl_free>;

inline void require(bool ok, char const* what) {
    if (!ok) throw std::runtime_error(std::string("self-signed certificate: ") + what + " failed");
}

inline void write_pem(std::filesystem::path const& path, auto&& write) {
    openssl_ptr<std::FILE> file(std::fopen(path.c_str(), "w"));
    require(file != nullptr, "opening a PEM file");
    require(write(file.get()) == 1, "writing a PEM file");
}

inline openssl_ptr<X509> certificate_for(EVP_PKEY* key) {
    openssl_ptr<X509> cert(X509_new());
    require(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);  // v3, for subjectAltName
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    auto* const name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    openssl_ptr<X509_EXTENSION> san(
        X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"));
    require(san != nullptr && X509_add_ext(cert.get(), san.get(), -1) == 1, "adding subjectAltName");
    require(X509_sign(cert.get(), key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}
}  // namespace detail

/// A new key and a self-signed certificate for it (CN and SAN localhost, SAN 127.0.0.1, valid
/// for a day) in `directory` as `<stem>.crt` and `<stem>.key`. Throws std::runtime_error.
inline pem_files make_self_signed(std::filesystem::path const& directory, std::string const& stem = "server",
                                  key_kind kind = key_kind::ec_p256) {
    detail::openssl_ptr<EVP_PKEY> key(kind == key_kind::ec_p256 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048));
    detail::require(key != nullptr, "generating a key");
    auto const cert = detail::certificate_for(key.get());
    pem_files files{directory / (stem + ".crt"), directory / (stem + ".key")};
    detail::write_pem(files.cert, [&](std::FILE* file) { return PEM_write_X509(file, cert.get()); });
    detail::write_pem(files.key, [&](std::FILE* file) {
        return PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    return files;
}

}  // namespace ledger::testing
